// Dotted paths into nested config objects: read, write, flatten and deep-merge partial configs.

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function joinPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('.');
}

export function getAtPath(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = root;
  for (const segment of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as string];
  }
  return current;
}

export function setAtPath(root: PlainObject, path: readonly string[], value: unknown): void {
  let current = root;
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      current[segment] = value;
      return;
    }
    const next = current[segment];
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created: PlainObject = {};
      current[segment] = created;
      current = created;
    }
  });
}

/** Dotted paths of every non-object value (arrays count as values). */
export function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (!isPlainObject(value)) return prefix.length ? [prefix] : [];
  const out: string[][] = [];
  for (const [key, child] of Object.entries(value)) out.push(...leafPaths(child, [...prefix, key]));
  return out;
}

/** Merges `over` into a copy of `base`: objects recursively, anything else (arrays too) replaced. */
export function deepMerge(base: PlainObject, over: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}
