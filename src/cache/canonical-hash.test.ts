// The streamed canonical hash equals the SHA-256 of the canonical JSON text for any value, so keys stay as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalSha256Hex } from './canonical-hash.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

/** The digest, or the error's message: an invalid date must fail both ways alike. */
function outcome(hash: () => string): string {
  try {
    return hash();
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

const textHash = (value: unknown) => sha256Hex(canonicalJson(value));

describe('canonicalSha256Hex', () => {
  it('equals sha256(canonicalJson) on hand-picked awkward values', () => {
    const values: unknown[] = [
      undefined,
      null,
      'plain',
      'quote " backslash \\ newline \n tab \t control \u0001',
      'emoji 😀 and lone surrogates \ud800 \udfff',
      'x'.repeat(100_000),
      `${'long with a newline\n'.repeat(2_000)}"`,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e21,
      10n,
      { b: 1, a: { d: [3, 1], c: undefined, b: null } },
      { 10: 'ten', 2: 'two', a: 1, '02': 'not an index', 4294967295: 'too big', 4294967294: 'largest' },
      [undefined, () => 1, Symbol('s'), new AbortController().signal, 1],
      { signal: new AbortController().signal, when: new Date(0), where: new URL('https://example.com/a?b') },
      {
        bytes: new Uint8Array([1, 2, 3]),
        buffer: new Uint8Array([4, 5]).buffer,
        ints: new Int16Array([7, -8]),
      },
      new Array(3),
      Object.assign(Object.create(null), { z: 1, y: [{}] }),
    ];
    for (const value of values) expect(canonicalSha256Hex(value)).toBe(textHash(value));
    expect(() => canonicalSha256Hex({ when: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('equals sha256(canonicalJson) on generated values', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
          withBigInt: true,
          withNullPrototype: true,
          withObjectString: true,
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          stringUnit: 'binary',
          key: fc.oneof(fc.string(), fc.nat().map(String), fc.constant('__proto__')),
        }),
        (value) => outcome(() => canonicalSha256Hex(value)) === outcome(() => textHash(value)),
      ),
      { numRuns: 2_000 },
    );
  });

  it('differs when the value differs (positive control for the equality above)', () => {
    expect(canonicalSha256Hex({ a: 'x' })).not.toBe(canonicalSha256Hex({ a: 'y' }));
    expect(canonicalSha256Hex({ a: 'x' })).not.toBe(textHash({ a: 'x ' }));
  });

  it('refuses a value nested deeper than 200 levels, as canonicalJson does', () => {
    let deep: unknown = 'leaf';
    for (let index = 0; index < 250; index += 1) deep = [deep];
    expect(() => canonicalSha256Hex(deep)).toThrow(/deeper than 200/);
    expect(() => canonicalJson(deep)).toThrow(/deeper than 200/);
  });
});
