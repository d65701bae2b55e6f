// The framed canonical hash: a reader can parse the framing back to the canonical value (so it is injective),
// equal canonical values frame alike, and the streamed digest is the SHA-256 of those bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalFraming, canonicalSha256Hex } from './canonical-hash.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

/** The canonical value a framing describes; throws unless the bytes are exactly one well-framed value. */
function parseFraming(bytes: Buffer): unknown {
  let at = 0;
  const take = (count: number) => {
    if (at + count > bytes.length) throw new Error(`framing ends early at byte ${at}`);
    const start = at;
    at += count;
    return start;
  };
  const tag = () => String.fromCharCode(bytes[take(1)] ?? 0);
  const readUntil = (end: string) => {
    const stop = bytes.indexOf(end, at);
    if (stop < 0) throw new Error(`no ${end} after byte ${at}`);
    const text = bytes.toString('latin1', at, stop);
    at = stop + 1;
    return text;
  };
  const length = () => {
    const digits = readUntil(':');
    if (!/^(0|[1-9]\d*)$/.test(digits)) throw new Error(`bad length ${digits}`);
    return Number(digits);
  };
  const string = (kind: string): string => {
    const units = length();
    if (kind === 'u') return bytes.toString('utf16le', take(units * 2), at);
    // UTF-8 of a well-formed string: a four-byte sequence is two UTF-16 units, any other one.
    const start = at;
    let counted = 0;
    while (counted < units) {
      const lead = bytes[take(1)] ?? 0;
      const extra = lead < 0x80 ? 0 : lead < 0xe0 ? 1 : lead < 0xf0 ? 2 : 3;
      take(extra);
      counted += extra === 3 ? 2 : 1;
    }
    if (counted !== units) throw new Error('a string length splits a character');
    return bytes.toString('utf8', start, at);
  };
  const value = (kind: string): unknown => {
    switch (kind) {
      case 'n':
        return null;
      case 't':
        return true;
      case 'f':
        return false;
      case 'd':
        return Number(readUntil(';'));
      case 's':
      case 'u':
        return string(kind);
      case '[': {
        const items: unknown[] = [];
        for (let next = tag(); next !== ']'; next = tag()) items.push(value(next));
        return items;
      }
      case '{': {
        const object: Record<string, unknown> = {};
        let previous: string | undefined;
        for (let next = tag(); next !== '}'; next = tag()) {
          if (next !== 's' && next !== 'u') throw new Error(`an object key cannot start with ${next}`);
          const key = string(next);
          if (previous !== undefined && !(previous < key)) throw new Error('object keys out of order');
          previous = key;
          Object.defineProperty(object, key, { value: value(tag()), enumerable: true });
        }
        return object;
      }
      default:
        throw new Error(`unknown tag ${kind}`);
    }
  };
  const parsed = value(tag());
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes after the value`);
  return parsed;
}

/** The canonical value as plain JSON data (what `canonicalJson` describes), or the error both must throw. */
function canonicalData(value: unknown): unknown {
  return JSON.parse(canonicalJson(value));
}

function outcome(compute: () => unknown): unknown {
  try {
    return compute();
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

const awkward: unknown[] = [
  undefined,
  null,
  true,
  false,
  'plain',
  '',
  'quote " backslash \\ newline \n tab \t control \u0001',
  'emoji 😀, é, 中文 and lone surrogates \ud800 \udfff',
  'x'.repeat(100_000),
  `${'long with a newline\n'.repeat(2_000)}"`,
  ['x'.repeat(2_000), 'y'.repeat(20_000), 'z'.repeat(1_500), 'short'],
  -0,
  0,
  1.5,
  -1e-7,
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
  { 's1:a': 's1:a', '': [[], {}], '}': ']' },
  // Keys with a lone surrogate, or too long to keep framed, take the general path.
  { '\ud800': 1, '\ufffd': 2, ['k'.repeat(100)]: 3, ['k'.repeat(64)]: 4 },
];

const anything = fc.anything({
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
});

/** Few distinct atoms, so that generated values often share a canonical form (or nearly do). */
const atom = fc.constantFrom<unknown>(
  undefined,
  null,
  true,
  0,
  -0,
  1,
  10,
  Number.NaN,
  'NaN',
  '',
  'a',
  'ab',
  'd1;',
  's1:a',
  '\ud800',
  '\ufffd',
  '😀',
  new Date(0),
  new Date(0).toISOString(),
  10n,
  '10n',
);
const small = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, atom, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'ab', ''), tie('value'), { maxKeys: 3 }),
})).value;

describe('canonicalFraming', () => {
  it('has the documented form', () => {
    const framing = canonicalFraming({ b: [1, 'x', null, true, undefined], a: 'é', c: undefined, d: -2.5 });
    expect(framing.toString('utf8')).toBe('{s1:as1:és1:b[d1;s1:xntn]s1:dd-2.5;}');
    expect(canonicalFraming('a\ud800')).toEqual(Buffer.from('u2:a\u0000\u0000\u00d8', 'latin1'));
    expect(canonicalFraming(undefined).toString()).toBe('n');
  });

  it('parses back to the canonical value, on awkward values', () => {
    for (const value of awkward) expect(parseFraming(canonicalFraming(value))).toEqual(canonicalData(value));
    expect(() => canonicalFraming({ when: new Date(Number.NaN) })).toThrow(RangeError);
  });

  it('parses back to the canonical value, on generated values (so two canonical values never frame alike)', () => {
    fc.assert(
      fc.property(anything, (value) => {
        const expected = outcome(() => canonicalData(value));
        const framing = outcome(() => canonicalFraming(value));
        if (typeof expected === 'string' && expected.startsWith('threw ')) return framing === expected;
        expect(parseFraming(framing as Buffer)).toEqual(expected);
        return true;
      }),
      { numRuns: 2_000 },
    );
  });

  it('frames two values alike exactly when their canonical forms are equal', () => {
    let equalPairs = 0;
    fc.assert(
      fc.property(fc.array(small, { minLength: 2, maxLength: 12 }), (values) => {
        const framings = values.map((value) => canonicalFraming(value));
        const texts = values.map((value) => canonicalJson(value));
        for (let left = 0; left < values.length; left += 1) {
          for (let right = left + 1; right < values.length; right += 1) {
            const sameCanonical = texts[left] === texts[right];
            if (sameCanonical) equalPairs += 1;
            expect(framings[left]?.equals(framings[right] as Buffer)).toBe(sameCanonical);
          }
        }
      }),
      { numRuns: 1_000 },
    );
    // The generator must actually produce equal canonical forms, or the "exactly when" above tests one side only.
    expect(equalPairs).toBeGreaterThan(100);
  });

  it('ignores the order in which keys were inserted', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string(), small), { selector: ([key]) => key, maxLength: 8 }),
        fc.func(fc.integer()),
        (entries, order) => {
          const shuffled = [...entries].sort((left, right) => order(left[0]) - order(right[0]) || 0);
          const one = Object.fromEntries(entries);
          const other = Object.fromEntries(shuffled);
          return canonicalFraming(one).equals(canonicalFraming(other));
        },
      ),
    );
  });

  it('tells apart values that a naive concatenation would confuse', () => {
    const distinct: unknown[] = [
      ['ab'],
      ['a', 'b'],
      { a: 'b' },
      { ab: '' },
      'a\ud800',
      'a\ufffd',
      '1',
      1,
      [null],
      'null',
      [],
      {},
      '',
      [''],
      ['s1:a'],
      [['a']],
    ];
    const framings = new Set(distinct.map((value) => canonicalFraming(value).toString('latin1')));
    expect(framings.size).toBe(distinct.length);
  });

  it('refuses a value nested deeper than 200 levels, as canonicalJson does', () => {
    let deep: unknown = 'leaf';
    for (let index = 0; index < 250; index += 1) deep = [deep];
    expect(() => canonicalFraming(deep)).toThrow(/deeper than 200/);
    expect(() => canonicalSha256Hex(deep)).toThrow(/deeper than 200/);
    expect(() => canonicalJson(deep)).toThrow(/deeper than 200/);
    let withDroppedLeaf: unknown = { member: undefined };
    for (let index = 0; index < 200; index += 1) withDroppedLeaf = [withDroppedLeaf];
    expect(outcome(() => canonicalFraming(withDroppedLeaf))).toBe(
      outcome(() => canonicalJson(withDroppedLeaf)),
    );
  });
});

describe('canonicalSha256Hex', () => {
  it('is the SHA-256 of the framing, whether hashed in one shot or streamed in pieces', () => {
    for (const value of awkward) expect(canonicalSha256Hex(value)).toBe(sha256Hex(canonicalFraming(value)));
  });

  it('is the SHA-256 of the framing on generated values', () => {
    fc.assert(
      fc.property(
        anything,
        (value) =>
          outcome(() => canonicalSha256Hex(value)) === outcome(() => sha256Hex(canonicalFraming(value))),
      ),
      { numRuns: 1_000 },
    );
  });

  it('is pinned: a change here changes every stored key (bump LLM_CACHE_VERSION and the PTC cache version)', () => {
    expect(canonicalSha256Hex({ prompt: [{ role: 'user', content: 'hello' }], temperature: 0 })).toBe(
      sha256Hex('{s6:prompt[{s7:contents5:hellos4:roles4:user}]s11:temperatured0;}'),
    );
  });

  it('differs when the value differs (positive control for the equalities above)', () => {
    expect(canonicalSha256Hex({ a: 'x' })).not.toBe(canonicalSha256Hex({ a: 'y' }));
    expect(canonicalSha256Hex(['x'.repeat(5_000)])).not.toBe(canonicalSha256Hex(['x'.repeat(4_999), 'x']));
  });
});
