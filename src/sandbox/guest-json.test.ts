// checkGuestJson / parseGuestJson and callHostFunction on hostile argument text: bounded, never a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkGuestJson, parseGuestJson } from './guest-json.js';
import { callHostFunction, HostCallLimiter, MAX_HOST_CALL_JSON_DEPTH } from './host-functions.js';

const BOUNDS = { maxChars: 1_000_000, maxDepth: 8 };

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('checkGuestJson', () => {
  it('refuses exactly the JSON nested deeper than the bound (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (value) => {
        const refused = checkGuestJson(JSON.stringify(value), BOUNDS);
        expect(refused !== undefined).toBe(depthOf(value) > BOUNDS.maxDepth);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('refuses strings holding a lone surrogate, raw or escaped, and accepts well-formed ones (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary-ascii' }),
        fc.string({ unit: 'binary' }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        (before, after, unit) => {
          const text = before + String.fromCharCode(unit) + after;
          const escaped = JSON.stringify({ key: text });
          // Raw: the lone unit sits in the JSON text itself (quotes and backslashes dropped to keep it a string).
          const raw = `{"key":"${text.replace(/["\\]/g, '')}"}`;
          expect(checkGuestJson(escaped, BOUNDS)).toMatch(/lone surrogate \\ud[89a-f]/);
          expect(checkGuestJson(raw, BOUNDS)).toMatch(/lone surrogate/);
          expect(checkGuestJson(JSON.stringify([before, after]), BOUNDS)).toBeUndefined();
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('accepts surrogate pairs written raw, escaped or mixed, and says nothing about malformed JSON', () => {
    expect(checkGuestJson('["😀", "\\ud83d\\ude00", "\\ud83d\ude00"]', BOUNDS)).toBeUndefined();
    expect(checkGuestJson('["\\"[[[[[[[[[[", "\\\\"]', BOUNDS)).toBeUndefined();
    expect(checkGuestJson('[1, 2', BOUNDS)).toBeUndefined();
    expect(parseGuestJson(z.array(z.number()), '[1, 2', 'args', BOUNDS)).toMatchObject({ ok: false });
    expect(checkGuestJson('x'.repeat(11), { maxChars: 10, maxDepth: 1 })).toMatch(/exceed the bound of 10/);
  });
});

describe('callHostFunction on hostile arguments', () => {
  const echo = { echo: async (value: unknown) => value as never };

  it('refuses arguments nested 100,000 deep with an error, without calling the function', async () => {
    let called = 0;
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const outcome = await callHostFunction({ echo: async () => ++called }, 'echo', deep);
    expect(outcome).toEqual({
      ok: false,
      error: `arguments of echo: JSON nests deeper than ${MAX_HOST_CALL_JSON_DEPTH} levels`,
    });
    expect(called).toBe(0);
  });

  it('accepts arguments exactly at the depth bound', async () => {
    const atBound = `${'['.repeat(MAX_HOST_CALL_JSON_DEPTH)}${']'.repeat(MAX_HOST_CALL_JSON_DEPTH)}`;
    expect(await callHostFunction(echo, 'echo', atBound)).toMatchObject({ ok: true });
  });

  it('turns a result that cannot be JSON (cyclic, BigInt, a function) into an error', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const results: unknown[] = [cyclic, 10n, () => 1];
    for (const result of results) {
      const outcome = await callHostFunction({ f: async () => result as never }, 'f', '[]');
      if (typeof result === 'function') expect(outcome).toEqual({ ok: true, json: 'null' });
      else expect(outcome).toMatchObject({ ok: false, error: expect.any(String) });
    }
  });

  it('answers through HostCallLimiter.handle even when the reply itself throws', async () => {
    const limiter = new HostCallLimiter(echo);
    const answers: unknown[] = [];
    await new Promise<void>((resolve) => {
      limiter.handle('echo', '[1]', (outcome) => {
        answers.push(outcome);
        resolve();
        throw new Error('the reply failed');
      });
    });
    expect(answers).toEqual([{ ok: true, json: '1' }]);
  });
});
