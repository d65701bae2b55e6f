// The AI SDK's form of a zod output schema, made once per schema: the SDK otherwise converts it to JSON Schema on
// every call (zod's toJSONSchema, a tenth of a millisecond or more of each structured call's CPU).
import { type Schema, zodSchema } from 'ai';
import type { z } from 'zod';

const converted = new WeakMap<z.ZodType, Schema<unknown>>();

/** `schema` as the SDK takes it; its JSON Schema is built on the first call that needs it and kept. */
export function outputSchemaOf<T>(schema: z.ZodType<T>): Schema<T> {
  let kept = converted.get(schema);
  if (kept === undefined) {
    kept = zodSchema(schema) as Schema<unknown>;
    converted.set(schema, kept);
  }
  return kept as Schema<T>;
}
