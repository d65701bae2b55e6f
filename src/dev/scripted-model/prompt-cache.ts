// The provider's prompt cache as the scripted server models it: an Anthropic request's prefix up to a block
// marked `cache_control` is read from the cache when an earlier request wrote the same prefix.
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

/** Bound on remembered prefixes; the oldest half is forgotten past it (a cache, not a log). */
const MAX_PREFIXES = 10_000;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function blocksOf(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

/** Characters of a block the server counts as input (text, tool input, tool result text). */
function blockChars(block: unknown): number {
  if (!isObject(block)) return 0;
  if (typeof block.text === 'string') return block.text.length;
  if (block.type === 'tool_use')
    return JSON.stringify(block.input ?? {}).length + String(block.name ?? '').length;
  if (block.type === 'tool_result')
    return blocksOf(block.content).reduce<number>((sum, part) => sum + blockChars(part), 0);
  return 0;
}

interface Boundary {
  digest: string;
  chars: number;
  /** The block ending here carries `cache_control`: the request writes this prefix. */
  marked: boolean;
}

/** How far before a marked block Anthropic looks for a prefix written earlier (in blocks). */
const LOOKBACK_BLOCKS = 20;

/** Anthropic's cache order: tools, system, then messages; the prefix at every block boundary. */
function boundaries(body: Json): Boundary[] {
  const hash = createHash('sha256');
  const points: Boundary[] = [];
  let chars = 0;
  const visit = (block: unknown) => {
    // The mark itself is not part of the cached content: a prefix written marked is read unmarked.
    const content = isObject(block) ? { ...block, cache_control: undefined } : block;
    hash.update(JSON.stringify(content));
    chars += blockChars(block);
    const marked = isObject(block) && isObject(block.cache_control);
    points.push({ digest: hash.copy().digest('hex'), chars, marked });
  };
  for (const tool of Array.isArray(body.tools) ? body.tools : []) visit(tool);
  for (const block of blocksOf(body.system)) visit(block);
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(message)) continue;
    hash.update(String(message.role));
    for (const block of blocksOf(message.content)) visit(block);
  }
  return points;
}

interface PromptCache {
  /** Tokens of the longest marked prefix an earlier request wrote (0 when none); remembers this request's. */
  readAndWrite(body: Json, tokensOf: (characters: number) => number): number;
}

export function createPromptCache(): PromptCache {
  const seen = new Map<string, true>();
  return {
    readAndWrite(body, tokensOf) {
      let cachedChars = 0;
      const points = boundaries(body);
      points.forEach((point, index) => {
        if (!point.marked) return;
        for (let back = index; back >= 0 && back > index - LOOKBACK_BLOCKS; back -= 1) {
          const candidate = points[back]!;
          if (seen.has(candidate.digest)) {
            cachedChars = Math.max(cachedChars, candidate.chars);
            break;
          }
        }
      });
      for (const point of points) if (point.marked) seen.set(point.digest, true);
      if (seen.size > MAX_PREFIXES) {
        for (const key of [...seen.keys()].slice(0, MAX_PREFIXES / 2)) seen.delete(key);
      }
      return cachedChars > 0 ? tokensOf(cachedChars) : 0;
    },
  };
}
