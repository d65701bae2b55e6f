// Fuzz of the PTC service boundary: 1,600 generated hostile plan bodies, 600 WebSocket handshakes and frames,
// and 2,000 hostile host-function arguments sent by programs through POST /execute. The service survives every one
// and answers each clearly: 4xx with a JSON error naming the field for a client's mistake, never a 5xx.
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { smallServerConfig } from '../../../test/support/mcp-servers/index.js';
import { codeReply, conversationRule, startPtcHarness } from '../../../test/support/ptc/harness.js';
import type { PTCArtifactResult } from '../../contracts/index.js';
import { ApiErrorBodySchema, PTCArtifactResultSchema } from '../../contracts/index.js';
import { MAX_HOST_CALL_JSON_CHARS, MAX_HOST_CALL_JSON_DEPTH } from '../../sandbox/index.js';
import type { PtcAgent } from '../agent/ptc-agent.js';
import { PTC_EVENTS_PATH, type RunningPtcService, startPtcService } from './ptc-service.js';

const SEED = 20_261_127;
const now = () => new Date().toISOString();

/** Answers every valid plan at once: the fuzz is about the boundary, not the agent. */
const quickAgent = {
  execute: async (plan: { planId: string; taskId: string }): Promise<PTCArtifactResult> => ({
    planId: plan.planId,
    taskId: plan.taskId,
    status: 'SUCCESS',
    summary: 'ok',
    artifacts: [],
    executions: [],
    testResults: [],
    toolCalls: [],
    iterationsUsed: 0,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 },
    fromCache: false,
    cacheKey: null,
    error: null,
    startedAt: now(),
    completedAt: now(),
  }),
  stats: () => ({ executions: 0, cacheHits: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }),
  flush: async () => undefined,
} as unknown as PtcAgent;

const validPlan = { planId: 'p', executionId: 'e', taskId: 't', goal: 'print 1' };

/** Bodies as bytes: JSON of anything, valid plans with one field replaced, broken JSON and invalid UTF-8. */
function planBodies(count: number): Buffer[] {
  const json = fc.jsonValue({ maxDepth: 6 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null'));
  const field = fc.constantFrom(
    'planId',
    'executionId',
    'taskId',
    'goal',
    'language',
    'limits',
    'sandbox',
    'tools',
    'context',
    'cacheStrategy',
    'metadata',
    '__proto__',
    'constructor',
  );
  const hostileValue = fc.oneof(
    fc.anything({ maxDepth: 4 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 1.5, '', null, [], {}),
    fc.record({ maxIterations: fc.integer(), maxOutputChars: fc.integer(), tokenBudget: fc.integer() }),
    fc.record({ provider: fc.string(), timeoutMs: fc.integer(), memoryMb: fc.double() }),
    fc.record({
      servers: fc.array(fc.record({ name: fc.string(), allowTools: fc.anything() }), { maxLength: 5 }),
    }),
  );
  const mutated = fc
    .tuple(field, hostileValue)
    .map(([key, value]) =>
      Buffer.from(JSON.stringify({ ...validPlan, [key]: value }, (_k, v) => (v === undefined ? null : v))),
    );
  const deep = fc
    .integer({ min: 100, max: 200_000 })
    .map((depth) => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`));
  const deepInPlan = fc
    .integer({ min: 100, max: 100_000 })
    .map((depth) =>
      Buffer.from(
        `{"planId":"p","executionId":"e","taskId":"t","goal":"g","metadata":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
      ),
    );
  const broken = fc
    .tuple(fc.uint8Array({ maxLength: 400 }), fc.nat({ max: 60 }))
    .map(([bytes, cut]) =>
      Buffer.concat([Buffer.from(JSON.stringify(validPlan)).subarray(0, cut), Buffer.from(bytes)]),
    );
  const invalidUtf8 = fc
    .uint8Array({ minLength: 1, maxLength: 4 })
    .map((bytes) =>
      Buffer.concat([
        Buffer.from('{"planId":"p","executionId":"e","taskId":"t","goal":"'),
        Buffer.from([0xff, ...bytes]),
        Buffer.from('"}'),
      ]),
    );
  return fc.sample(fc.oneof(json, mutated, mutated, deep, deepInPlan, broken, invalidUtf8), {
    numRuns: count,
    seed: SEED,
  });
}

/** Every UTF-8 byte percent-encoded (lone surrogates arrive as U+FFFD), so any string makes a valid URL. */
function percentBytes(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

async function expectClearAnswer(response: Response, label: string): Promise<void> {
  const text = await response.text();
  expect(response.status, `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status === 200) {
    expect(PTCArtifactResultSchema.safeParse(JSON.parse(text)).success, label).toBe(true);
    return;
  }
  expect([400, 403, 413], label).toContain(response.status);
  const body = ApiErrorBodySchema.safeParse(JSON.parse(text));
  expect(body.success, `${label}: ${text.slice(0, 300)}`).toBe(true);
  expect(body.data?.error.message.length, label).toBeGreaterThan(0);
}

async function healthy(service: RunningPtcService): Promise<void> {
  const health = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5_000) });
  expect(health.status).toBe(200);
}

describe('PTC service fuzz', () => {
  let service: RunningPtcService;
  beforeAll(async () => {
    service = await startPtcService({ agent: quickAgent, port: 0 });
  });
  afterAll(async () => {
    await service.close();
  });

  it('answers 1,600 hostile plan bodies with 200 or a clear 4xx, never a 5xx', async () => {
    const bodies = planBodies(1_600);
    let accepted = 0;
    let refused = 0;
    for (const [index, body] of bodies.entries()) {
      const response = await fetch(`${service.url}/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 200) accepted += 1;
      else refused += 1;
      await expectClearAnswer(response, `body ${index}: ${body.subarray(0, 120).toString('latin1')}`);
    }
    // Both kinds occur: the generator is not all garbage, nor all valid.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(500);
    await healthy(service);
  }, 180_000);

  it('survives 600 hostile WebSocket handshakes and frames and keeps streaming', async () => {
    const wsBase = `${service.url.replace('http:', 'ws:')}${PTC_EVENTS_PATH}`;
    const inputs = fc.sample(
      fc.record({
        query: fc.string({ unit: 'binary', maxLength: 3_000 }),
        frames: fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 2_000 }),
            fc.uint8Array({ maxLength: 2_000 }),
            fc.integer({ min: 4_000, max: 50_000 }).map((size) => 'x'.repeat(size)),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { numRuns: 300, seed: SEED },
    );
    let sent = 0;
    for (const [index, input] of inputs.entries()) {
      const url = `${wsBase}?executionId=${percentBytes(input.query)}%FF%FE&taskId=${percentBytes(input.query.slice(0, 10))}`;
      const outcome = await new Promise<string>((resolve) => {
        const socket = new WebSocket(url);
        const timer = setTimeout(() => {
          socket.terminate();
          resolve('no answer');
        }, 5_000);
        socket.on('message', () => {
          for (const frame of input.frames) {
            socket.send(frame);
            sent += 1;
          }
          // A ping after the frames: either the server answers it or it closed the socket for a bad frame.
          socket.ping();
          socket.once('pong', () => {
            clearTimeout(timer);
            socket.close();
            resolve('open');
          });
        });
        socket.on('close', () => {
          clearTimeout(timer);
          resolve('closed');
        });
        socket.on('error', () => undefined);
      });
      expect(outcome, `input ${index}`).not.toBe('no answer');
      sent += 1;
    }
    expect(sent).toBeGreaterThanOrEqual(600);
    await healthy(service);
    // Positive control: a well-formed subscriber still gets its events.
    const received = await new Promise<unknown>((resolve) => {
      const socket = new WebSocket(`${wsBase}?executionId=control&taskId=t`);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'ptc-stream-open') {
          service.hub.publish({
            type: 'ptc-execution-done',
            executionId: 'control',
            taskId: 't',
            planId: 'p',
          });
          return;
        }
        socket.close();
        resolve(message);
      });
    });
    expect(received).toMatchObject({ type: 'ptc-execution-done', executionId: 'control' });
    expect(service.hub.size).toBeLessThanOrEqual(1);
  }, 180_000);
});

describe('PTC service fuzz: host-function arguments from programs', () => {
  const rules = [conversationRule('[fuzz-args]', [(report) => ({ text: report })])];
  let service: RunningPtcService;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // Each plan's goal carries the program; the scripted model answers with it, then repeats the output.
    const harness = await startPtcHarness({
      rules: [
        {
          name: 'fuzz-program',
          match: { contains: ['[fuzz-args]', 'You are PTC'] },
          reply: (request) => {
            if (/^Run \d+: exit code/m.test(request.text)) return { text: 'FINAL ANSWER: done' };
            const program = request.text.match(/<program>([\s\S]*?)<\/program>/)?.[1] ?? '';
            return codeReply(program);
          },
        },
        ...rules,
      ],
      servers: { small: smallServerConfig() },
    });
    service = await startPtcService({ agent: harness.agent, tools: harness.manager, port: 0 });
    close = async () => {
      await service.close();
      await harness.close();
    };
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('keeps answering /health while a program whose TypeScript transpile is exponential runs', async () => {
    // ~320 characters of nested arrow defaults: tens of seconds of sucrase (~3x per two levels), so a host
    // that transpiled on its own event loop would leave /health unanswered for all that time.
    let program = '0';
    for (let level = 0; level < 24; level++) program = `(a${level} = ${program}) => 0`;
    program = `const f: unknown = ${program};`;
    // The health checks come from another process, so a blocked event loop here cannot hold their clocks.
    const checker = spawn(
      process.execPath,
      [
        '-e',
        `(async () => { for (;;) { const started = Date.now(); try { const response = await fetch(${JSON.stringify(`${service.url}/health`)}, { signal: AbortSignal.timeout(5000) }); console.log(response.status === 200 ? 'ok' : 'status ' + response.status); } catch (error) { console.log('unanswered ' + String(error)); } await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - started)))); } })()`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let checks = '';
    checker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      checks += chunk;
    });
    try {
      const response = await fetch(`${service.url}/execute`, {
        method: 'POST',
        body: JSON.stringify({
          planId: 'slow-transpile',
          executionId: 'slow-transpile',
          taskId: 't',
          goal: `[fuzz-args] <program>${program}</program>`,
          cacheStrategy: 'NEVER',
          language: 'typescript',
          limits: { maxIterations: 1 },
          sandbox: { timeoutMs: 2_000 },
        }),
        signal: AbortSignal.timeout(120_000),
      });
      const result = PTCArtifactResultSchema.parse(await response.json());
      // Positive control: the program really was the slow one, ended by the run's time limit.
      expect(result.executions[0]?.stoppedBy, result.executions[0]?.stderr).toBe('timeout');
    } finally {
      checker.kill('SIGKILL');
    }
    const lines = checks.trim().split('\n');
    expect(lines.filter((line) => line !== 'ok')).toEqual([]);
    expect(lines.length).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('runs 2,000 hostile arguments to __romaCallTool through POST /execute; each is a clear guest-side error', async () => {
    // Each hostile argument with what its error must say: the host's refusal, or the guest's own serializer
    // refusing first. The arguments array and the call's object add two levels of nesting.
    const hostile = fc.oneof(
      {
        arbitrary: fc.record({
          depth: fc.integer({ min: MAX_HOST_CALL_JSON_DEPTH, max: 5_000 }),
          asObject: fc.boolean(),
        }),
        weight: 4,
      },
      { arbitrary: fc.constant({ cycle: true as const }), weight: 2 },
      { arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), weight: 2 },
      {
        arbitrary: fc.record({
          unit: fc.integer({ min: 0xd800, max: 0xdfff }),
          text: fc.string({ maxLength: 12 }),
          inKey: fc.boolean(),
        }),
        weight: 4,
      },
      // Past the bound of one call's arguments (8 M chars), rarely: each costs a copy on the host.
      {
        arbitrary: fc.integer({ min: MAX_HOST_CALL_JSON_CHARS, max: MAX_HOST_CALL_JSON_CHARS + 100_000 }),
        weight: 1,
      },
    );
    const cases = fc.sample(hostile, { numRuns: 2_000, seed: SEED }).map((recipe) => {
      if (typeof recipe === 'bigint') return { code: `${recipe}n`, error: 'BigInt|serializ' };
      if (typeof recipe === 'number') return { code: `"x".repeat(${recipe})`, error: 'exceed' };
      if ('cycle' in recipe)
        return {
          code: '(() => { const a = { b: [] }; a.b.push(a); return a; })()',
          error: 'circular|cyclic|cycle',
        };
      if ('depth' in recipe) {
        const wrap = recipe.asObject ? '{ d: v }' : '[v]';
        return {
          code: `(() => { let v = 1; for (let i = 0; i < ${recipe.depth}; i += 1) v = ${wrap}; return v; })()`,
          error: `nests deeper than ${MAX_HOST_CALL_JSON_DEPTH}|stack overflow|call stack|recursion`,
        };
      }
      const lone = `\\u${recipe.unit.toString(16)}`;
      const text = JSON.stringify(recipe.text).slice(1, -1);
      return {
        code: recipe.inKey ? `{ ["${text}${lone}"]: 1 }` : `"${text}${lone}"`,
        error: 'lone surrogate',
      };
    });
    expect(cases).toHaveLength(2_000);
    const perProgram = 200;
    let checked = 0;
    for (let index = 0; index * perProgram < cases.length; index++) {
      const chunk = cases.slice(index * perProgram, (index + 1) * perProgram);
      const program = [
        'const mismatches = []; let refused = 0;',
        'async function attempt(n, make, expected) {',
        '  let value; try { value = make(); } catch (error) { mismatches.push(n + " could not build: " + error); return; }',
        "  try { await __romaCallTool('small', 'echo', { message: 'm', extra: value }); mismatches.push(n + ' was accepted'); }",
        '  catch (error) { const text = String(error?.message ?? error); if (new RegExp(expected, "i").test(text)) refused += 1; else mismatches.push(n + " said " + text.slice(0, 120)); }',
        '}',
        ...chunk.map(
          (entry, offset) =>
            `await attempt(${offset}, () => (${entry.code}), ${JSON.stringify(entry.error)});`,
        ),
        // Positive control: the same channel answers an ordinary call.
        "const control = await __romaCallTool('small', 'echo', { message: 'control' });",
        "console.log('refused', refused, 'control', JSON.stringify(control).includes('control'));",
        "console.log('mismatches', JSON.stringify(mismatches.slice(0, 5)));",
      ].join('\n');
      const response = await fetch(`${service.url}/execute`, {
        method: 'POST',
        body: JSON.stringify({
          planId: `fuzz-${index}`,
          executionId: `fuzz-${index}`,
          taskId: 't',
          goal: `[fuzz-args] <program>${program}</program>`,
          cacheStrategy: 'NEVER',
          tools: { servers: [{ name: 'small' }] },
          sandbox: { timeoutMs: 120_000 },
        }),
        signal: AbortSignal.timeout(180_000),
      });
      expect(response.status, `program ${index}`).toBe(200);
      const result = PTCArtifactResultSchema.parse(await response.json());
      const stdout = result.executions[0]?.stdout ?? '';
      expect(stdout, `program ${index}: ${result.executions[0]?.stderr}`).toContain('mismatches []');
      expect(stdout).toContain(`refused ${chunk.length} control true`);
      checked += chunk.length;
    }
    expect(checked).toBe(2_000);
    const health = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5_000) });
    expect(health.status).toBe(200);
  }, 600_000);
});
