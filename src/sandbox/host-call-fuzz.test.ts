// Fuzz of the guest → host-function boundary: 2,000 generated hostile arguments per provider and language
// (depth, size, cycles, types JSON cannot carry, lone surrogates, invalid UTF-8); the host survives every
// one, never calls the function with any, and each ends as a clear error the guest can catch.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_HOST_CALL_JSON_CHARS, MAX_HOST_CALL_JSON_DEPTH } from './host-functions.js';
import { createIsolateSandbox } from './isolate/isolate-sandbox.js';
import { createProcessSandbox } from './process/process-sandbox.js';
import { bwrapMissingReason } from './process/testing/bwrap-missing.js';
import type { Sandbox } from './sandbox.js';

type Recipe =
  | {
      index: number;
      kind: 'deep';
      depth: number;
      shape: 'array' | 'object' | 'mixed';
      leaf: number | string | null;
    }
  | {
      index: number;
      kind: 'surrogate';
      before: string;
      unit: number;
      after: string;
      inKey: boolean;
      depth: number;
    }
  | { index: number; kind: 'invalidUtf8'; prefix: string; bytes: number[] }
  | { index: number; kind: 'cycle'; depth: number; viaArray: boolean }
  | { index: number; kind: 'badType'; which: number }
  | { index: number; kind: 'size'; chars: number };

const CASES = 2_000;
const SIZE_CASES = 4;
const SEED = 20_261_127;

/** What each kind must end as: the host's refusal or the guest's own serializer refusing first. */
const EXPECTED: Record<Recipe['kind'], RegExp> = {
  deep: new RegExp(`nests deeper than ${MAX_HOST_CALL_JSON_DEPTH}|stack overflow|call stack|recursion`, 'i'),
  surrogate: /lone surrogate/,
  invalidUtf8: /lone surrogate/,
  cycle: /circular|cyclic|cycle/i,
  badType: /serializ/i,
  size: /exceed/,
};

function recipes(): Recipe[] {
  // The value at the bound (depth MAX) plus the arguments array is one level too deep.
  // Mostly just past the bound; some far deeper (QuickJS's JSON.stringify is quadratic in depth, so not 1e5).
  const depth = fc.oneof(
    { arbitrary: fc.integer({ min: MAX_HOST_CALL_JSON_DEPTH, max: 1_000 }), weight: 4 },
    { arbitrary: fc.integer({ min: 1_000, max: 5_000 }), weight: 1 },
  );
  const kinds = fc.oneof(
    fc.record({
      kind: fc.constant('deep' as const),
      depth,
      shape: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
      leaf: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null)),
    }),
    fc.record({
      kind: fc.constant('surrogate' as const),
      before: fc.string({ unit: 'binary', maxLength: 20 }),
      unit: fc.integer({ min: 0xd800, max: 0xdfff }),
      after: fc.string({ unit: 'binary', maxLength: 20 }),
      inKey: fc.boolean(),
      depth: fc.integer({ min: 0, max: 6 }),
    }),
    fc.record({
      kind: fc.constant('invalidUtf8' as const),
      prefix: fc.string({ maxLength: 10 }),
      // Bytes that never start valid UTF-8 (continuation bytes, 0xF8–0xFF), surrogate-escaped as Python does.
      bytes: fc.array(fc.oneof(fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xf8, max: 0xff })), {
        minLength: 1,
        maxLength: 6,
      }),
    }),
    fc.record({
      kind: fc.constant('cycle' as const),
      depth: fc.integer({ min: 0, max: 30 }),
      viaArray: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('badType' as const), which: fc.integer({ min: 0, max: 3 }) }),
  );
  const sized = fc.record({
    kind: fc.constant('size' as const),
    chars: fc.integer({ min: MAX_HOST_CALL_JSON_CHARS, max: MAX_HOST_CALL_JSON_CHARS + 100_000 }),
  });
  const generated = [
    ...fc.sample(kinds, { numRuns: CASES - SIZE_CASES, seed: SEED }),
    ...fc.sample(sized, { numRuns: SIZE_CASES, seed: SEED }),
  ];
  return generated.map((recipe, index) => ({ ...recipe, index }) as Recipe);
}

const JAVASCRIPT_BUILD = String.raw`
function build(r) {
  switch (r.kind) {
    case 'deep': {
      let value = r.leaf;
      for (let i = 0; i < r.depth; i++) {
        const shape = r.shape === 'mixed' ? (i % 2 ? 'array' : 'object') : r.shape;
        value = shape === 'array' ? [value] : { k: value };
      }
      return value;
    }
    case 'surrogate': {
      const text = r.before + String.fromCharCode(r.unit) + r.after;
      let value = r.inKey ? { [text]: 1 } : text;
      for (let i = 0; i < r.depth; i++) value = [value];
      return value;
    }
    case 'invalidUtf8':
      return { text: r.prefix + r.bytes.map((b) => String.fromCharCode(0xdc00 + b)).join('') };
    case 'cycle': {
      const root = r.viaArray ? [] : {};
      let at = root;
      for (let i = 0; i < r.depth; i++) {
        const next = r.viaArray ? [] : {};
        if (Array.isArray(at)) at.push(next); else at.child = next;
        at = next;
      }
      if (Array.isArray(at)) at.push(root); else at.loop = root;
      return root;
    }
    case 'badType':
      return { value: BigInt(r.which) };
    case 'size':
      return 'x'.repeat(r.chars);
  }
}
const results = [];
for (const r of recipes) {
  try {
    await echo(build(r));
    results.push({ index: r.index, ok: true });
  } catch (error) {
    results.push({ index: r.index, ok: false, error: String((error && error.message) || error).slice(0, 300) });
  }
}
`;

const PROGRAMS = {
  isolate: `const recipes = JSON.parse(workspace.readFile('recipes.json'));\n${JAVASCRIPT_BUILD}\nworkspace.writeFile('results.json', JSON.stringify(results));`,
  node: `const fs = require('fs');\nconst recipes = JSON.parse(fs.readFileSync('recipes.json', 'utf8'));\n${JAVASCRIPT_BUILD}\nfs.writeFileSync('results.json', JSON.stringify(results));`,
  python: String.raw`
import json
recipes = json.load(open('recipes.json'))
def build(r):
    kind = r['kind']
    if kind == 'deep':
        value = r['leaf']
        for i in range(r['depth']):
            shape = ('array' if i % 2 else 'object') if r['shape'] == 'mixed' else r['shape']
            value = [value] if shape == 'array' else {'k': value}
        return value
    if kind == 'surrogate':
        text = r['before'] + chr(r['unit']) + r['after']
        value = {text: 1} if r['inKey'] else text
        for _ in range(r['depth']):
            value = [value]
        return value
    if kind == 'invalidUtf8':
        return {'text': r['prefix'] + bytes(r['bytes']).decode('utf-8', 'surrogateescape')}
    if kind == 'cycle':
        root = [] if r['viaArray'] else {}
        at = root
        for _ in range(r['depth']):
            child = [] if r['viaArray'] else {}
            if isinstance(at, list): at.append(child)
            else: at['child'] = child
            at = child
        if isinstance(at, list): at.append(root)
        else: at['loop'] = root
        return root
    if kind == 'badType':
        return {'value': [set(), b'x', complex(1, 2), object()][r['which']]}
    if kind == 'size':
        return 'x' * r['chars']
results = []
for r in recipes:
    try:
        echo(build(r))
        results.append({'index': r['index'], 'ok': True})
    except BaseException as error:
        results.append({'index': r['index'], 'ok': False, 'error': (type(error).__name__ + ': ' + str(error))[:300]})
json.dump(results, open('results.json', 'w'))
`,
};

const bwrapMissing = bwrapMissingReason();

const targets: Array<{
  name: string;
  program: keyof typeof PROGRAMS;
  language: 'javascript' | 'python';
  skipReason?: string;
  create: () => Sandbox;
}> = [
  {
    name: 'isolate',
    program: 'isolate',
    language: 'javascript',
    create: () => createIsolateSandbox({ poolSize: 0 }),
  },
  {
    name: 'process (Node in bubblewrap)',
    program: 'node',
    language: 'javascript',
    skipReason: bwrapMissing,
    create: () => createProcessSandbox({ poolSize: 0 }),
  },
  {
    name: 'process (Python in bubblewrap)',
    program: 'python',
    language: 'python',
    skipReason: bwrapMissing,
    create: () => createProcessSandbox({ poolSize: 0 }),
  },
];

describe('host-function boundary fuzz', () => {
  const cases = recipes();
  const sandboxes: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  });

  it('generates the cases it claims', () => {
    expect(cases).toHaveLength(CASES);
    const kinds = new Set(cases.map((recipe) => recipe.kind));
    expect([...kinds].sort()).toEqual(['badType', 'cycle', 'deep', 'invalidUtf8', 'size', 'surrogate']);
  });

  for (const target of targets) {
    it.skipIf(target.skipReason !== undefined)(
      `${target.name}: every hostile argument is a clear guest-side error and the host keeps serving`,
      async () => {
        const sandbox = target.create();
        sandboxes.push(sandbox);
        let calls = 0;
        const session = await sandbox.openSession({
          hostFunctions: {
            echo: async (value) => {
              calls++;
              return value;
            },
          },
          files: { 'recipes.json': JSON.stringify(cases) },
        });
        const run = await session.run(PROGRAMS[target.program], {
          language: target.language,
          timeoutMs: 240_000,
          memoryMb: 1_024,
        });
        expect(run.stoppedBy, run.stderr).toBeNull();
        expect(run.exitCode, run.stderr).toBe(0);
        const results = JSON.parse(await session.readTextFile('results.json')) as Array<{
          index: number;
          ok: boolean;
          error?: string;
        }>;
        expect(results).toHaveLength(CASES);
        const unexpected = results.filter((result) => {
          const recipe = cases[result.index]!;
          return result.ok || !EXPECTED[recipe.kind].test(result.error ?? '');
        });
        expect(
          unexpected.slice(0, 5).map((result) => ({ ...result, recipe: cases[result.index]?.kind })),
        ).toEqual([]);
        expect(calls).toBe(0);
        // The same session (and host) still serves an ordinary call.
        const after = await session.run(
          target.language === 'python'
            ? 'print(echo({"n": 1})["n"])'
            : 'console.log((await echo({ n: 1 })).n)',
          { language: target.language },
        );
        expect(after.stdout.trim()).toBe('1');
        await session.close();
      },
      300_000,
    );
  }
});
