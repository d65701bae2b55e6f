// Pooled isolate workers are reused after a reset: a handle leaked by a session made QuickJS abort the
// worker when its runtime was freed, and the next session on it ended with stoppedBy 'crash'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HOST_CALL_JSON_CHARS } from '../host-functions.js';
import type { HostFunctions, Sandbox, SandboxSession } from '../sandbox.js';
import { createIsolateSandbox } from './isolate-sandbox.js';
import type { FromWorkerMessage, WorkerRunEndMessage } from './protocol.js';
import { IsolateWorker } from './worker-pool.js';

const LARGE_TEXT_CHARS = 3_000_000;

const hostFunctions: HostFunctions = {
  boom: async () => {
    throw new Error('bad');
  },
  ok: async () => 1,
  // A JavaScript tool may resolve with nothing although the type asks for JSON.
  nothing: async () => undefined as never,
  empty: async () => null,
  nested: async () => ({ a: { b: [1, { c: 'x' }] }, d: null }),
  large: async () => 'x'.repeat(LARGE_TEXT_CHARS),
  echo: async (value) => value,
  never: () => new Promise(() => {}),
};

describe('isolate worker reuse (poolSize 1)', () => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = createIsolateSandbox({ poolSize: 1 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function inSession<T>(use: (session: SandboxSession) => Promise<T>): Promise<T> {
    const session = await sandbox.openSession({ hostFunctions });
    try {
      return await use(session);
    } finally {
      await session.close();
    }
  }

  async function runOnce(
    code: string,
  ): Promise<{ stdout: string; stderr: string; stoppedBy: string | null }> {
    return inSession(async (session) => {
      const result = await session.run(code, { language: 'javascript' });
      return { stdout: result.stdout, stderr: result.stderr, stoppedBy: result.stoppedBy };
    });
  }

  it('alternates host functions that throw and succeed over many sessions without a crash', async () => {
    const cases = [
      {
        code: 'try { await boom() } catch (e) { console.log(e.name, e.message) }',
        stdout: 'HostFunctionError bad\n',
      },
      { code: 'console.log(await ok())', stdout: '1\n' },
      { code: 'await boom()', stdout: '' },
      { code: 'console.log(await ok())', stdout: '1\n' },
    ];
    for (let round = 0; round < 3; round++) {
      for (const { code, stdout } of cases) {
        const result = await runOnce(code);
        expect(result.stoppedBy, `${code}: ${result.stderr}`).toBeNull();
        expect(result.stdout).toBe(stdout);
        if (code === 'await boom()') expect(result.stderr).toContain('HostFunctionError: bad');
      }
    }
  }, 60_000);

  it('settles Promise.all and Promise.allSettled of mixed resolving and rejecting host calls', async () => {
    for (let round = 0; round < 3; round++) {
      const all = await runOnce(
        'try { await Promise.all([ok(), boom(), nested(), boom()]) } catch (e) { console.log("all:", e.message) }',
      );
      expect(all).toMatchObject({ stdout: 'all: bad\n', stoppedBy: null });
      const settled = await runOnce(
        'const r = await Promise.allSettled([ok(), boom(), empty(), boom(), nothing()]);' +
          ' console.log(r.map((s) => s.status === "fulfilled" ? JSON.stringify(s.value) : s.reason.message).join(","))',
      );
      expect(settled).toMatchObject({ stdout: '1,bad,null,bad,null\n', stoppedBy: null });
    }
  }, 60_000);

  it('passes undefined, null, nested objects and large strings from host functions', async () => {
    for (let round = 0; round < 2; round++) {
      const result = await runOnce(
        'console.log(await nothing(), await empty(), JSON.stringify(await nested()), (await large()).length,' +
          ` (await echo("y".repeat(${LARGE_TEXT_CHARS}))).length)`,
      );
      expect(result).toMatchObject({
        stdout: `null null {"a":{"b":[1,{"c":"x"}]},"d":null} ${LARGE_TEXT_CHARS} ${LARGE_TEXT_CHARS}\n`,
        stoppedBy: null,
      });
    }
  }, 60_000);

  it('keeps working after sessions closed with host calls still pending', async () => {
    for (let round = 0; round < 3; round++) {
      // The run ended while its call is still out: the reset frees a runtime with a pending promise.
      const unawaited = await runOnce('never(); boom(); setTimeout(() => {}, 60_000); console.log("left")');
      expect(unawaited).toMatchObject({ stdout: 'left\n', stoppedBy: null });
      // Closed mid-run: the worker is ended rather than reused.
      const session = await sandbox.openSession({ hostFunctions });
      const running = session.run('await never()', { language: 'javascript', timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await session.close();
      expect((await running).stoppedBy).toBe('cancelled');
      const next = await runOnce('console.log(await ok())');
      expect(next).toMatchObject({ stdout: '1\n', stoppedBy: null });
    }
  }, 60_000);

  it('reports a thrown promise or odd value as the program failing, not the isolate crashing', async () => {
    for (const code of [
      'throw Promise.resolve(1)',
      'throw Promise.reject(new Error("x"))',
      'throw 1',
      'throw null',
    ]) {
      const result = await inSession((session) => session.run(code, { language: 'javascript' }));
      expect(result.stoppedBy, `${code}: ${result.stderr}`).toBeNull();
      expect(result.exitCode).toBe(1);
    }
  }, 60_000);
});

describe('isolate worker reset', () => {
  /** Drives one worker over the protocol, answering host calls with `hostFunctions`' outcomes. */
  function drive(worker: IsolateWorker) {
    let runEnd: ((message: WorkerRunEndMessage) => void) | undefined;
    let runId = 0;
    worker.attach(
      (message: FromWorkerMessage) => {
        if (message.type === 'run-end') runEnd?.(message);
        if (message.type !== 'host-call') return;
        const fn = hostFunctions[message.name];
        const args = JSON.parse(message.argsJson) as [];
        void Promise.resolve()
          .then(() => fn?.(...args))
          .then(
            (value) => ({ ok: true, payload: JSON.stringify(value ?? null) }),
            (error: Error) => ({ ok: false, payload: error.message }),
          )
          .then((outcome) => worker.post({ type: 'host-result', callId: message.callId, ...outcome }));
      },
      () => {},
    );
    return {
      open() {
        worker.post({
          type: 'open',
          hostFunctionNames: Object.keys(hostFunctions),
          maxHostCallJsonChars: MAX_HOST_CALL_JSON_CHARS,
          files: [],
        });
      },
      run(code: string, timeoutMs: number): Promise<WorkerRunEndMessage> {
        runId++;
        const ended = new Promise<WorkerRunEndMessage>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`run of ${code} did not end`)), 20_000);
          runEnd = (message) => {
            clearTimeout(timer);
            resolve(message);
          };
        });
        worker.post({
          type: 'run',
          runId,
          code,
          language: 'javascript',
          reservedNames: Object.keys(hostFunctions),
          timeoutMs,
          memoryMb: 64,
          maxOutputChars: 10_000,
        });
        return ended;
      },
    };
  }

  it('frees the runtime of every kind of session and the worker answers ready again', async () => {
    const worker = new IsolateWorker(undefined);
    try {
      await worker.ready;
      const driver = drive(worker);
      const programs = [
        'console.log(1)',
        'try { await boom() } catch (e) { console.log(e.message) }',
        'await boom()',
        'console.log((await Promise.allSettled([ok(), boom(), nested()])).length)',
        'console.log((await large()).length)',
        'never(); boom(); setTimeout(() => {}, 60_000); console.log("left")',
        'throw Promise.resolve(1)',
        'while (true) {}',
      ];
      for (const code of programs) {
        driver.open();
        const result = await driver.run(code, code.startsWith('while') ? 200 : 10_000);
        expect(
          result.stoppedBy === null || result.stoppedBy === 'interrupt',
          `${code}: ${result.stderr}`,
        ).toBe(true);
        worker.reset();
        // A leaked handle makes JS_FreeRuntime abort the thread here instead of answering.
        await expect(worker.ready, code).resolves.toBeUndefined();
        expect(worker.dead).toBe(false);
      }
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});
