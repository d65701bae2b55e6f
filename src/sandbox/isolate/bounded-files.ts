// The isolate's in-memory workspace: path → text, bounded in total characters (names and contents), file
// count and path length. One definition for the worker's copy and the host's mirror, so both refuse alike.

/** Characters of paths and contents together: names count too, or empty files with huge names grow unbounded. */
export const MAX_WORKSPACE_CHARS = 32_000_000;
export const MAX_WORKSPACE_FILES = 10_000;
export const MAX_WORKSPACE_PATH_CHARS = 1_024;

export class BoundedFiles {
  private readonly files = new Map<string, string>();
  private chars = 0;

  constructor(entries: Iterable<[string, string]> = []) {
    for (const [path, content] of entries) this.set(path, content);
  }

  /** Why `path` cannot hold `content` within the bounds, or undefined. */
  refusal(path: string, content: string): string | undefined {
    if (path.length > MAX_WORKSPACE_PATH_CHARS) {
      return `path of ${path.length} chars is longer than ${MAX_WORKSPACE_PATH_CHARS}`;
    }
    const previous = this.files.get(path);
    if (previous === undefined && this.files.size >= MAX_WORKSPACE_FILES) {
      return `workspace is full (${MAX_WORKSPACE_FILES} files)`;
    }
    const next =
      this.chars -
      (previous === undefined ? 0 : path.length + previous.length) +
      path.length +
      content.length;
    if (next > MAX_WORKSPACE_CHARS)
      return `workspace is full (${MAX_WORKSPACE_CHARS} chars of paths and contents)`;
    return undefined;
  }

  /** Throws an Error with the refusal; nothing changes then. */
  set(path: string, content: string): void {
    const refused = this.refusal(path, content);
    if (refused) throw new Error(refused);
    const previous = this.files.get(path);
    this.chars += path.length + content.length - (previous === undefined ? 0 : path.length + previous.length);
    this.files.set(path, content);
  }

  get(path: string): string | undefined {
    return this.files.get(path);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  entries(): Array<[string, string]> {
    return [...this.files];
  }
}
