// Runs the Sandbox conformance suite against the daytona provider talking to a loopback Daytona API (programs
// run in the local bubblewrap sandbox), checks the calls it makes, and one live test when DAYTONA_API_KEY is set.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHostileSuite } from '../hostile.conformance.js';
import { createProcessSandbox } from '../process/process-sandbox.js';
import { bwrapMissingReason } from '../process/testing/bwrap-missing.js';
import { describeSandboxConformance } from '../sandbox.conformance.js';
import type { Sandbox } from '../sandbox.js';
import { createDaytonaSandbox, DAYTONA_CAPABILITIES } from './daytona-sandbox.js';
import { type DaytonaLoopbackServer, startDaytonaLoopbackServer } from './testing/loopback-server.js';

const bwrapMissing = bwrapMissingReason();
const skipReason = bwrapMissing && `the loopback Daytona server runs programs in bubblewrap: ${bwrapMissing}`;

let backend: Sandbox | undefined;
let server: DaytonaLoopbackServer | undefined;

beforeAll(async () => {
  if (skipReason) return;
  backend = createProcessSandbox({ poolSize: 1 });
  server = await startDaytonaLoopbackServer(backend);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await backend?.close();
}, 60_000);

describeSandboxConformance(
  'daytona (loopback API)',
  () => createDaytonaSandbox({ apiKey: 'test-key', apiUrl: server!.apiUrl, autoStopIntervalMinutes: 5 }),
  { loopTimeoutMs: 2_000, ...(skipReason ? { skipReason } : {}) },
);

describeHostileSuite(
  'daytona (loopback API)',
  (language) => createDaytonaSandbox({ apiKey: 'test-key', apiUrl: server!.apiUrl, language }),
  DAYTONA_CAPABILITIES.languages,
  skipReason ? { skipReason } : {},
);

describe.skipIf(skipReason !== undefined)('daytona provider against the loopback API', () => {
  it('always sends autoStopInterval and autoDeleteInterval, runs code, and deletes the sandbox on close', async () => {
    const sandbox = createDaytonaSandbox({
      apiKey: 'test-key',
      apiUrl: server!.apiUrl,
      snapshot: 'roma-python',
    });
    const before = server!.requests.length;
    const liveBefore = server!.liveSandboxIds().length;
    const session = await sandbox.openSession();
    const result = await session.run('print(6 * 7)');
    expect(result.stdout.trim()).toBe('42');
    await session.close();
    await sandbox.close();
    const calls = server!.requests.slice(before);
    const create = calls.find((call) => call.method === 'POST' && call.path === '/api/sandbox');
    expect(create?.body).toMatchObject({
      autoStopInterval: 15,
      autoDeleteInterval: 30,
      snapshot: 'roma-python',
    });
    // The service refused the first code run with 429 (not run), so it was sent once more.
    expect(calls.filter((call) => call.path.endsWith('/process/code-run'))).toHaveLength(2);
    expect(calls.some((call) => call.method === 'DELETE' && call.path.startsWith('/api/sandbox/'))).toBe(
      true,
    );
    expect(server!.liveSandboxIds()).toHaveLength(liveBefore);
  }, 60_000);

  it('creates exactly one sandbox through a 429 on create, a 503 on a state read and the startup states', async () => {
    const sandbox = createDaytonaSandbox({ apiKey: 'test-key', apiUrl: server!.apiUrl });
    const before = server!.requests.length;
    const faultsBefore = server!.faults.length;
    const liveBefore = server!.liveSandboxIds().length;
    const session = await sandbox.openSession();
    try {
      expect(server!.liveSandboxIds()).toHaveLength(liveBefore + 1);
      const calls = server!.requests.slice(before);
      const creates = calls.filter((call) => call.method === 'POST' && call.path === '/api/sandbox');
      expect(creates).toHaveLength(2);
      expect((creates[0]!.body as { name: string }).name).toBe((creates[1]!.body as { name: string }).name);
      const faults = server!.faults.slice(faultsBefore).map((fault) => `${fault.status} ${fault.method}`);
      expect(faults).toEqual(expect.arrayContaining(['429 POST', '503 GET']));
      // It waited for `started`: the toolbox answers 409 before that, and this run worked.
      const result = await session.run('print("after startup")');
      expect(result.stdout.trim()).toBe('after startup');
    } finally {
      await session.close();
      await sandbox.close();
    }
    expect(server!.liveSandboxIds()).toHaveLength(liveBefore);
  }, 60_000);

  it('a sandbox that ends its startup in error fails the opening with the reason, and is deleted', async () => {
    const failing = await startDaytonaLoopbackServer(backend!, { startupError: 'no capacity in region us' });
    const sandbox = createDaytonaSandbox({ apiKey: 'test-key', apiUrl: failing.apiUrl });
    try {
      await expect(sandbox.openSession({ timeoutMs: 20_000 })).rejects.toMatchObject({
        code: 'SANDBOX_UNAVAILABLE',
        message: expect.stringContaining('no capacity in region us'),
      });
      expect(failing.liveSandboxIds()).toEqual([]);
      expect(
        failing.requests.filter((call) => call.method === 'POST' && call.path === '/api/sandbox'),
      ).toHaveLength(2);
    } finally {
      await sandbox.close();
      await failing.close();
    }
  }, 60_000);

  it('gives up on a code run the service keeps refusing with 429 after 3 tries, with a clear error', async () => {
    const busy = await startDaytonaLoopbackServer(backend!, { alwaysBusy: true });
    const sandbox = createDaytonaSandbox({ apiKey: 'test-key', apiUrl: busy.apiUrl });
    const session = await sandbox.openSession();
    try {
      const result = await session.run('print("never")', { timeoutMs: 20_000 });
      expect(result.stdout).not.toContain('never');
      expect(result.exitCode).toBe(124);
      expect(result.stderr).toMatch(/^Error: daytona: .*429|too many requests/i);
      // The first 429 is the transient one every server sends, then three tries in all.
      expect(busy.requests.filter((call) => call.path.endsWith('/process/code-run'))).toHaveLength(3);
    } finally {
      await session.close();
      await sandbox.close();
      await busy.close();
    }
  }, 60_000);

  it('runs code statelessly, as Daytona does (a name from one run is gone in the next)', async () => {
    const sandbox = createDaytonaSandbox({ apiKey: 'test-key', apiUrl: server!.apiUrl });
    const session = await sandbox.openSession();
    try {
      const first = await session.run('remembered = 41\nprint("set")');
      expect(first.stdout.trim()).toBe('set');
      const second = await session.run('print(remembered + 1)');
      expect(second.exitCode).not.toBe(0);
      expect(second.stdout + second.stderr).toContain('NameError');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 60_000);

  it('runs code in the language the sandbox was created for (javascript, typescript)', async () => {
    for (const [language, code, expected] of [
      ['javascript', 'console.log(typeof require, [1, 2].map((x) => x * 2).join())', 'function 2,4'],
      ['typescript', 'const answer: number = 21; console.log(answer * 2)', '42'],
    ] as const) {
      const sandbox = createDaytonaSandbox({ apiKey: 'test-key', apiUrl: server!.apiUrl, language });
      const session = await sandbox.openSession();
      try {
        const result = await session.run(code);
        expect({ language, stdout: result.stdout.trim(), exitCode: result.exitCode }).toEqual({
          language,
          stdout: expected,
          exitCode: 0,
        });
      } finally {
        await session.close();
        await sandbox.close();
      }
    }
  }, 60_000);

  it('fails to open with SANDBOX_UNAVAILABLE and a fix when the key is rejected', async () => {
    const sandbox = createDaytonaSandbox({ apiKey: 'wrong-key', apiUrl: server!.apiUrl });
    await expect(sandbox.openSession()).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    await sandbox.close();
  }, 30_000);

  it('refuses host functions: the guest is remote', async () => {
    const sandbox = createDaytonaSandbox({ apiKey: 'test-key', apiUrl: server!.apiUrl });
    await expect(sandbox.openSession({ hostFunctions: { tool: async () => null } })).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
    });
    await sandbox.close();
  });
});

describe('daytona provider configuration', () => {
  it('needs an API key and says where to get one', () => {
    expect(() => createDaytonaSandbox({ apiKey: '' })).toThrow(
      expect.objectContaining({
        code: 'SANDBOX_UNAVAILABLE',
        fix: expect.stringContaining('DAYTONA_API_KEY'),
      }),
    );
  });
});

const liveKey = process.env.DAYTONA_API_KEY;
describe.skipIf(!liveKey)('daytona live (DAYTONA_API_KEY set)', () => {
  it('creates a sandbox, runs Python, moves files and deletes it', async () => {
    const sandbox = createDaytonaSandbox({
      apiKey: liveKey!,
      ...(process.env.DAYTONA_API_URL ? { apiUrl: process.env.DAYTONA_API_URL } : {}),
      autoStopIntervalMinutes: 5,
      autoDeleteIntervalMinutes: 0,
    });
    const session = await sandbox.openSession();
    try {
      await session.writeFile('input.txt', 'live');
      const result = await session.run('print(open("input.txt").read().upper())');
      expect(result.stdout.trim()).toBe('LIVE');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 180_000);
});

describe('daytona provider errors', () => {
  it('keeps the API key out of the error when the server quotes the Authorization header', async () => {
    const echoing = createServer((request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ message: `key ${request.headers.authorization} is not allowed`, statusCode: 403 }),
      );
    });
    await new Promise<void>((resolve) => echoing.listen(0, '127.0.0.1', () => resolve()));
    const port = (echoing.address() as AddressInfo).port;
    const sandbox = createDaytonaSandbox({
      apiKey: 'dtn-key-3c9e71f2',
      apiUrl: `http://127.0.0.1:${port}/api`,
    });
    try {
      const failure = await sandbox.openSession({ timeoutMs: 10_000 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
      expect(inspect(failure, { depth: 10 })).not.toContain('dtn-key-3c9e71f2');
    } finally {
      await sandbox.close();
      await new Promise<void>((resolve) => echoing.close(() => resolve()));
    }
  });
});
