// Safe names for stored artifacts: every path segment is reduced to a plain name, so `../` cannot escape.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseOrThrow } from '../contracts/index.js';
import type { PutArtifactInput } from './artifact-store.js';

const MAX_SEGMENT_CHARS = 200;

/**
 * One path segment: letters, digits, `.`, `_` and `-` kept, anything else (slashes, backslashes, NUL,
 * spaces) becomes `_`, and so do runs of dots and a leading dot: no `..` and no hidden names can be formed.
 */
export function sanitizeSegment(value: string): string {
  const cleaned = value
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]/gu, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^\./, '_')
    .slice(0, MAX_SEGMENT_CHARS);
  return cleaned.length > 0 ? cleaned : '_';
}

/** The relative location `<executionId>/<taskId>/<name>` of an artifact, each segment sanitised. */
export function artifactSegments(input: {
  executionId: string;
  taskId: string;
  name: string;
}): [string, string, string] {
  return [sanitizeSegment(input.executionId), sanitizeSegment(input.taskId), sanitizeSegment(input.name)];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const PutArtifactInputSchema = z.object({
  executionId: z.string().min(1),
  taskId: z.string().min(1),
  name: z.string().min(1),
  mimeType: z.string().min(1),
  bytes: z.instanceof(Uint8Array),
});

export function validatePutInput(input: PutArtifactInput): PutArtifactInput {
  return parseOrThrow(PutArtifactInputSchema, input, 'artifact');
}
