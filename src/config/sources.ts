// Where a config value came from, so errors and `roma config show` can name the file, env var or flag.

export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; file: string; profile?: string }
  | {
      kind: 'env';
      variable: string /** Set when the value came from this file (`.env`), not the real environment. */;
      file?: string;
    }
  | { kind: 'flag'; flag: string };

/** Dotted config path → the source of its value (only values that are not defaults). */
export type ConfigSources = Record<string, ConfigSource>;

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return source.profile ? `${source.file} (profile ${source.profile})` : source.file;
    case 'env':
      return source.file ? `${source.file} ${source.variable}` : `env ${source.variable}`;
    case 'flag':
      return `flag ${source.flag}`;
  }
}

/** The source of `path`: its own, else the nearest parent's, else that of a value inside it. */
export function sourceOf(sources: ConfigSources, path: string): ConfigSource | undefined {
  if (sources[path]) return sources[path];
  const segments = path.split('.');
  for (let length = segments.length - 1; length > 0; length -= 1) {
    const parent = sources[segments.slice(0, length).join('.')];
    if (parent) return parent;
  }
  const prefix = `${path}.`;
  const child = Object.keys(sources).find((key) => key.startsWith(prefix));
  return child ? sources[child] : undefined;
}
