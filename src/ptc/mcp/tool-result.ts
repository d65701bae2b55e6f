// Turns an MCP CallToolResult into the value sandboxed code receives and the text a model would read.
import { z } from 'zod';
import { parseJsonWith } from '../../contracts/index.js';
import type { ToolCallOutput, ToolContentPart } from './types.js';

const ResourceContentsSchema = z.looseObject({
  uri: z.string(),
  mimeType: z.string().optional(),
  text: z.string().optional(),
  blob: z.string().optional(),
});

const PartSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  data: z.string().optional(),
  mimeType: z.string().optional(),
  resource: ResourceContentsSchema.optional(),
  uri: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
});

export interface RawToolResult {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
}

/** Bytes a base64 string decodes to (without decoding it). */
export function base64Bytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
}

/** One server content part as guest code gets it: text as text, binary as base64 with its MIME type. */
function toPart(raw: z.infer<typeof PartSchema>): ToolContentPart | null {
  switch (raw.type) {
    case 'text':
      return { type: 'text', text: raw.text ?? '' };
    case 'image':
    case 'audio': {
      const data = raw.data ?? '';
      return {
        type: raw.type,
        mimeType: raw.mimeType ?? 'application/octet-stream',
        data,
        bytes: base64Bytes(data),
      };
    }
    case 'resource': {
      const resource = raw.resource;
      if (!resource) return null;
      return resourcePart(resource);
    }
    case 'resource_link':
      return {
        type: 'resource_link',
        uri: raw.uri ?? '',
        name: raw.name ?? raw.uri ?? '',
        ...(raw.mimeType ? { mimeType: raw.mimeType } : {}),
        ...(raw.description ? { description: raw.description } : {}),
      };
    default:
      return null;
  }
}

/** An embedded resource or one item of `resources/read`: text as text, a blob as base64. */
export function resourcePart(resource: z.infer<typeof ResourceContentsSchema>): ToolContentPart {
  const mimeType = resource.mimeType ? { mimeType: resource.mimeType } : {};
  if (resource.blob !== undefined) {
    return {
      type: 'resource',
      uri: resource.uri,
      ...mimeType,
      blob: resource.blob,
      bytes: base64Bytes(resource.blob),
    };
  }
  return { type: 'resource', uri: resource.uri, ...mimeType, text: resource.text ?? '' };
}

function contentParts(content: unknown): ToolContentPart[] {
  const parsed = z.array(z.unknown()).safeParse(content ?? []);
  if (!parsed.success) return [];
  const parts: ToolContentPart[] = [];
  for (const item of parsed.data) {
    const part = PartSchema.safeParse(item);
    const converted = part.success ? toPart(part.data) : null;
    if (converted) parts.push(converted);
  }
  return parts;
}

/** What a model reads of one part: text whole; binary as a one-line note (the bytes go as media, if at all). */
export function partText(part: ToolContentPart): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'image':
    case 'audio':
      return `[${part.type} ${part.mimeType}, ${part.bytes} bytes]`;
    case 'resource':
      return 'text' in part
        ? `[resource ${part.uri}${part.mimeType ? ` ${part.mimeType}` : ''}]\n${part.text}`
        : `[resource ${part.uri}${part.mimeType ? ` ${part.mimeType}` : ''}, ${part.bytes} bytes]`;
    case 'resource_link':
      return `[resource link ${part.name}: ${part.uri}${part.mimeType ? ` ${part.mimeType}` : ''}]`;
  }
}

function binarySize(parts: readonly ToolContentPart[]): number {
  let size = 0;
  for (const part of parts) {
    if (part.type === 'image' || part.type === 'audio') size += part.data.length;
    else if (part.type === 'resource' && 'blob' in part) size += part.blob.length;
  }
  return size;
}

/**
 * The value guest code gets: structured content when the server sent it; text-only content as its text (JSON
 * parsed when it is JSON); anything else — images, audio, resources, links — as `{ text, content: parts }`
 * so no part is lost.
 */
export function toToolCallOutput(result: RawToolResult): ToolCallOutput {
  const parts = contentParts(result.content);
  const text =
    parts.map(partText).join('\n') ||
    (result.structuredContent === undefined ? '' : JSON.stringify(result.structuredContent));
  const textOnly = parts.every((part) => part.type === 'text');
  let value: unknown = text;
  if (result.structuredContent !== undefined) value = result.structuredContent;
  else if (!textOnly) {
    value = {
      text: parts
        .filter((part) => part.type === 'text')
        .map((part) => part.text)
        .join('\n'),
      content: parts,
    };
  } else {
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      const json = parseJsonWith(z.unknown(), text, 'tool result');
      if (json.ok) value = json.value;
    }
  }
  return {
    value,
    text,
    bytes: Buffer.byteLength(text, 'utf8') + binarySize(parts),
    content: parts,
  };
}
