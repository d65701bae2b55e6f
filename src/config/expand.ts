// `${VAR}` and `${VAR:-default}` in config file strings, taken from env; `$${` writes a literal `${`.
import { RomaError } from '../contracts/index.js';
import type { Env } from './env.js';
import { isPlainObject, joinPath, type PlainObject } from './paths.js';
import { coerceToLeaf } from './schema-walk.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * The one `${VAR}` expansion of roma (config files and MCP server env/headers alike): `${VAR}` is the env value,
 * `${VAR:-default}` falls back when VAR is unset or empty, `$${` writes a literal `${`. `onValue` sees each value
 * taken from env; `onMissing` is called for an unset VAR without a default and must throw.
 */
export function expandReferences(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
  options: { onMissing: (name: string) => never; onValue?: (value: string) => void },
): string {
  return text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const value = env[name!];
    if (value !== undefined && value !== '') {
      options.onValue?.(value);
      return value;
    }
    if (fallback !== undefined) return fallback;
    return options.onMissing(name!);
  });
}

function expandString(text: string, env: Env, path: string[], file: string): string {
  return expandReferences(text, env, {
    onMissing: (name) => {
      throw new RomaError('CONFIG_INVALID', `refers to \${${name}}, which is not set (from ${file})`, {
        field: joinPath(path),
        fix: `export ${name}=… or write \${${name}:-<default>} in ${file}`,
      });
    },
  });
}

/**
 * An MCP server's env and headers are expanded once, where the connection is made, so the values taken from
 * the host env are known as secrets there (and `roma config show` prints the reference, not the secret).
 */
function expandedAtConnect(path: readonly string[]): boolean {
  return (
    path.length === 4 &&
    path[0] === 'ptc' &&
    path[1] === 'mcpServers' &&
    (path[3] === 'env' || path[3] === 'headers')
  );
}

/** A copy of `values` with env references expanded; a string that changed is coerced to the key's type. */
export function expandEnvReferences(values: PlainObject, env: Env, file: string): PlainObject {
  const visit = (value: unknown, path: string[]): unknown => {
    if (isPlainObject(value)) {
      if (expandedAtConnect(path)) return value;
      const out: PlainObject = {};
      for (const [key, child] of Object.entries(value)) out[key] = visit(child, [...path, key]);
      return out;
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, String(index)]));
    if (typeof value !== 'string' || !value.includes('${')) return value;
    const expanded = expandString(value, env, path, file);
    return expanded === value ? value : coerceToLeaf(path, expanded);
  };
  return visit(values, []) as PlainObject;
}
