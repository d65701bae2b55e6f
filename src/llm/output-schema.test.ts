// One SDK schema per zod schema, its JSON Schema built once: the same object on every call, still checking values.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { outputSchemaOf } from './output-schema.js';

describe('outputSchemaOf', () => {
  it('gives the same SDK schema, and the same JSON Schema object, for every call with one zod schema', async () => {
    const schema = z.object({ isAtomic: z.boolean(), reasoning: z.string() });
    const first = outputSchemaOf(schema);
    expect(outputSchemaOf(schema)).toBe(first);
    const json = await first.jsonSchema;
    expect(await outputSchemaOf(schema).jsonSchema).toBe(json);
    expect(json).toMatchObject({ type: 'object', required: ['isAtomic', 'reasoning'] });
    // Another zod schema gets its own.
    expect(outputSchemaOf(z.object({ answer: z.string() }))).not.toBe(first);
  });

  it('still checks values against the zod schema', async () => {
    const sdk = outputSchemaOf(z.object({ count: z.number().int() }));
    expect(await sdk.validate?.({ count: 3 })).toEqual({ success: true, value: { count: 3 } });
    expect((await sdk.validate?.({ count: 'three' }))?.success).toBe(false);
  });
});
