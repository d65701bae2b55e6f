// Turns guest source into the script the worker evaluates: types stripped, top-level await allowed,
// and top-level declarations copied onto globalThis at the end so the next run of the session sees them.
import { transform } from 'sucrase';
import { parse } from 'sucrase/dist/parser/index.js';
import type { CodeLanguage } from '../../contracts/index.js';

// sucrase's IdentifierRole.TopLevelDeclaration and ObjectShorthandTopLevelDeclaration.
const TOP_LEVEL_ROLES = new Set([2, 5]);
const NEVER_KEPT = new Set(['console', 'workspace', 'globalThis', 'setTimeout', 'clearTimeout', 'undefined']);

interface PreparedProgram {
  /** Script evaluating to `[promise, keep]`; `keep()` copies the run's declarations to globals. */
  source: string;
  /** A compile error found while transpiling, reported to the guest as a SyntaxError. */
  syntaxError?: string;
}

/** Transpiles TypeScript (types only; no module transform) and wraps the program; never throws. */
export function prepareProgram(
  code: string,
  language: CodeLanguage,
  reservedNames: readonly string[],
): PreparedProgram {
  let javascript = code;
  if (language === 'typescript') {
    try {
      javascript = transform(code, { transforms: ['typescript'], disableESTransforms: true }).code;
    } catch (error) {
      return { source: '', syntaxError: `SyntaxError: ${(error as Error).message}` };
    }
  }
  const reserved = new Set([...NEVER_KEPT, ...reservedNames.map((name) => name.split('.')[0] ?? name)]);
  const names = topLevelNames(javascript).filter((name) => !reserved.has(name) && !name.startsWith('__roma'));
  const keep = names
    .map((name) => `try { globalThis[${JSON.stringify(name)}] = ${name}; } catch {}`)
    .join(' ');
  const source =
    // No newline after the prefix, so line numbers in errors match the program's own.
    `(() => { let __roma_keep_slot; const __roma_promise = (async () => { __roma_keep_slot = __roma_keep; ` +
    `${javascript}\n` +
    `;function __roma_keep() { ${keep} }\n})(); return [__roma_promise, () => __roma_keep_slot && __roma_keep_slot()]; })()`;
  return { source };
}

function topLevelNames(javascript: string): string[] {
  try {
    const { tokens } = parse(javascript, false, false, false);
    const names = new Set<string>();
    for (const token of tokens) {
      if (token.identifierRole !== null && TOP_LEVEL_ROLES.has(token.identifierRole)) {
        names.add(javascript.slice(token.start, token.end));
      }
    }
    return [...names];
  } catch {
    // A syntax error: the evaluation reports it with QuickJS's own message.
    return [];
  }
}
