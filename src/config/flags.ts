// CLI options → a config layer: the flags commands share (`--model`, `--max-depth`, `--budget-usd`…).
import type { ConfigLayer } from './layer.js';
import { isPlainObject, leafPaths, type PlainObject, setAtPath } from './paths.js';
import { coerceToLeaf } from './schema-walk.js';

/** commander option name (camelCase) → config key, with the flag users type; each is declared by a command. */
export const CLI_FLAG_KEYS: Readonly<Record<string, { path: string; flag: string }>> = {
  model: { path: 'llm.model', flag: '--model' },
  maxDepth: { path: 'engine.maxDepth', flag: '--max-depth' },
  maxConcurrency: { path: 'engine.maxConcurrency', flag: '--max-concurrency' },
  budgetUsd: { path: 'engine.budgets.maxCostUsd', flag: '--budget-usd' },
  maxTokens: { path: 'engine.budgets.maxTokens', flag: '--max-tokens' },
};

const FLAG_BY_PATH = new Map(Object.values(CLI_FLAG_KEYS).map(({ path, flag }) => [path, flag]));

/** Builds the partial config the known flags in `options` set; strings are coerced to the key's type. */
export function flagsFromOptions(options: Readonly<Record<string, unknown>>): PlainObject {
  const flags: PlainObject = {};
  for (const [name, { path }] of Object.entries(CLI_FLAG_KEYS)) {
    const value = options[name];
    if (value === undefined || value === null || value === '') continue;
    const segments = path.split('.');
    setAtPath(flags, segments, typeof value === 'string' ? coerceToLeaf(segments, value) : value);
  }
  return flags;
}

/** The flag layer of a partial config object, each value attributed to its flag (`--max-depth`). */
export function flagLayer(flags: PlainObject | undefined): ConfigLayer {
  const layer: ConfigLayer = { values: {}, sources: {} };
  if (!flags || !isPlainObject(flags)) return layer;
  for (const path of leafPaths(flags)) {
    const dotted = path.join('.');
    let value: unknown = flags;
    for (const segment of path) value = (value as PlainObject)[segment];
    if (value === undefined) continue;
    setAtPath(layer.values, path, typeof value === 'string' ? coerceToLeaf(path, value) : value);
    layer.sources[dotted] = { kind: 'flag', flag: FLAG_BY_PATH.get(dotted) ?? `--${dotted}` };
  }
  return layer;
}
