// Turns an MCP CallToolResult into the value sandboxed code receives and the text a model would read.
import { z } from 'zod';
import { parseJsonWith } from '../../contracts/index.js';
import type { ToolCallOutput } from './types.js';

const ContentSchema = z.array(
  z.looseObject({ type: z.string(), text: z.string().optional(), mimeType: z.string().optional() }),
);

export interface RawToolResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
}

export function contentText(result: RawToolResult): string {
  const parsed = ContentSchema.safeParse(result.content ?? []);
  if (!parsed.success) return '';
  return parsed.data
    .map((part) =>
      part.type === 'text' ? (part.text ?? '') : `[${part.type}${part.mimeType ? ` ${part.mimeType}` : ''}]`,
    )
    .join('\n');
}

export function toToolCallOutput(result: RawToolResult): ToolCallOutput {
  const text =
    contentText(result) ||
    (result.structuredContent === undefined ? '' : JSON.stringify(result.structuredContent));
  let value: unknown = text;
  if (result.structuredContent !== undefined) value = result.structuredContent;
  else {
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      const json = parseJsonWith(z.unknown(), text, 'tool result');
      if (json.ok) value = json.value;
    }
  }
  return { value, text, bytes: Buffer.byteLength(text, 'utf8') };
}
