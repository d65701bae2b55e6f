// `${VAR}` and `${VAR:-default}` in config file strings, taken from env; `$${` writes a literal `${`.
import { RomaError } from '../contracts/index.js';
import type { Env } from './env.js';
import { isPlainObject, joinPath, type PlainObject } from './paths.js';
import { coerceToLeaf } from './schema-walk.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function expandString(text: string, env: Env, path: string[], file: string): string {
  return text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    throw new RomaError('CONFIG_INVALID', `refers to \${${name}}, which is not set (from ${file})`, {
      field: joinPath(path),
      fix: `export ${name}=… or write \${${name}:-<default>} in ${file}`,
    });
  });
}

/** A copy of `values` with env references expanded; a string that changed is coerced to the key's type. */
export function expandEnvReferences(values: PlainObject, env: Env, file: string): PlainObject {
  const visit = (value: unknown, path: string[]): unknown => {
    if (isPlainObject(value)) {
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
