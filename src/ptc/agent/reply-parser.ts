// Reads a model reply: the program to run (a fenced block), an optional test block, or a final answer.
import type { CodeLanguage } from '../../contracts/index.js';

type ParsedReply =
  | { kind: 'code'; code: string; test: string | null; language: CodeLanguage }
  | { kind: 'final'; answer: string };

const FENCE = /```([A-Za-z0-9_+-]*)[ \t]*([A-Za-z0-9_-]*)[^\n]*\n([\s\S]*?)```/g;
const FINAL_MARKER = /FINAL ANSWER\s*:\s*/i;

const LANGUAGE_TAGS: Record<string, CodeLanguage> = {
  ts: 'typescript',
  typescript: 'typescript',
  js: 'javascript',
  javascript: 'javascript',
  py: 'python',
  python: 'python',
};

/**
 * A block tagged `test` (```test, ```typescript test, ```python test) is the test; the first other block is the
 * program. A reply with a FINAL ANSWER marker and no program is final; a reply with neither is final as a whole.
 */
export function parseReply(text: string, defaultLanguage: CodeLanguage): ParsedReply {
  let code: { body: string; language: CodeLanguage } | null = null;
  let test: string | null = null;
  for (const match of text.matchAll(FENCE)) {
    const tag = (match[1] ?? '').toLowerCase();
    const second = (match[2] ?? '').toLowerCase();
    const body = match[3] ?? '';
    if (tag === 'test' || second === 'test') {
      test ??= body;
      continue;
    }
    if (tag === 'text' || tag === 'json' || tag === 'markdown' || tag === 'md' || tag === 'output') continue;
    code ??= { body, language: LANGUAGE_TAGS[tag] ?? defaultLanguage };
  }
  const finalMatch = FINAL_MARKER.exec(text);
  if (finalMatch && (!code || text.indexOf(finalMatch[0]) < text.indexOf('```'))) {
    return { kind: 'final', answer: text.slice(finalMatch.index + finalMatch[0].length).trim() };
  }
  if (code)
    return { kind: 'code', code: code.body, test, language: compatible(code.language, defaultLanguage) };
  return { kind: 'final', answer: text.trim() };
}

/** TypeScript and JavaScript run alike; Python only where the plan asked for Python. */
function compatible(language: CodeLanguage, planLanguage: CodeLanguage): CodeLanguage {
  if (planLanguage === 'python' || language === 'python') return planLanguage;
  return language;
}
