// A small bounded memo from a stored text to its schema-checked value, so a repeated hit skips parse and check.

export interface CheckedTextMemoOptions {
  maxEntries: number;
  /** Sum of the remembered texts' lengths; the oldest go first when it is exceeded. */
  maxChars: number;
  /** Longer texts are not remembered (one would push out many small ones). */
  maxTextChars: number;
}

/**
 * Remembers what checking a text gave, keyed by the exact text (checking is a pure function of it). Eviction is
 * first in, first out: a memo, not a cache with its own policy. Callers must not hand out the remembered value
 * itself (it is shared): copy it per use.
 */
export class CheckedTextMemo<Value> {
  readonly #values = new Map<string, Value>();
  #chars = 0;

  constructor(private readonly options: CheckedTextMemoOptions) {}

  get(text: string): Value | undefined {
    return this.#values.get(text);
  }

  set(text: string, value: Value): void {
    if (text.length > this.options.maxTextChars || this.#values.has(text)) return;
    this.#values.set(text, value);
    this.#chars += text.length;
    // Bounded: each pass removes one entry, and the loop stops when the map is empty.
    while (this.#values.size > this.options.maxEntries || this.#chars > this.options.maxChars) {
      const oldest = this.#values.keys().next();
      if (oldest.done) return;
      this.#values.delete(oldest.value);
      this.#chars -= oldest.value.length;
    }
  }

  get size(): { entries: number; chars: number } {
    return { entries: this.#values.size, chars: this.#chars };
  }
}
