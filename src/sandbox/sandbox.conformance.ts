// The one behaviour suite every Sandbox provider must pass (isolate, process, daytona via its loopback server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLanguage } from '../contracts/index.js';
import { MAX_PROGRAM_BYTES } from './limits.js';
import type { Sandbox, SandboxFactory, SandboxSession } from './sandbox.js';

/** The same behaviours, written in each language the providers run. */
interface LanguagePrograms {
  hello: string;
  fails: string;
  defineState: string;
  useState: string;
  /** Reads input.txt, writes results/upper.txt with it upper-cased. */
  transformFile: string;
  /** Prints 5000 characters. */
  longOutput: string;
  infiniteLoop: string;
  /** Calls host `double` on 1, 2, 3 in parallel and prints the results joined by commas. */
  parallelHostCalls: string;
  /** Calls host `explode`, catches its error and prints `caught: <message>`. */
  hostError: string;
}

const PROGRAMS: Record<CodeLanguage, LanguagePrograms> = {
  python: {
    hello: 'print("hello sandbox")',
    fails: 'raise ValueError("deliberate failure")',
    defineState: 'counter = 41',
    useState: 'print(counter + 1)',
    transformFile:
      'import os\nos.makedirs("results", exist_ok=True)\n' +
      'open("results/upper.txt", "w").write(open("input.txt").read().upper())',
    longOutput: 'print("y" * 5000)',
    infiniteLoop: 'while True:\n    pass',
    parallelHostCalls:
      'import roma_host\nprint(",".join(str(v) for v in roma_host.call_parallel([("double", [1]), ("double", [2]), ("double", [3])])))',
    hostError:
      'import roma_host\ntry:\n    explode()\nexcept roma_host.HostFunctionError as error:\n    print("caught:", error)',
  },
  typescript: {
    hello: 'const greeting: string = "hello sandbox"; console.log(greeting)',
    fails: 'throw new Error("deliberate failure")',
    defineState: 'const counter: number = 41',
    useState: 'console.log(counter + 1)',
    transformFile: 'workspace.writeFile("results/upper.txt", workspace.readFile("input.txt").toUpperCase())',
    longOutput: 'console.log("y".repeat(5000))',
    infiniteLoop: 'while (true) {}',
    parallelHostCalls:
      'const values = await Promise.all([double(1), double(2), double(3)]); console.log(values.join(","))',
    hostError: 'try { await explode() } catch (error) { console.log("caught:", (error as Error).message) }',
  },
  javascript: {
    hello: 'console.log("hello sandbox")',
    fails: 'throw new Error("deliberate failure")',
    defineState: 'globalThis.counter = 41',
    useState: 'console.log(counter + 1)',
    transformFile: 'workspace.writeFile("results/upper.txt", workspace.readFile("input.txt").toUpperCase())',
    longOutput: 'console.log("y".repeat(5000))',
    infiniteLoop: 'while (true) {}',
    parallelHostCalls:
      'const values = await Promise.all([double(1), double(2), double(3)]); console.log(values.join(","))',
    hostError: 'try { await explode() } catch (error) { console.log("caught:", error.message) }',
  },
};

interface SandboxConformanceOptions {
  /** Skip the whole suite with this reason (e.g. bubblewrap is not installed). */
  skipReason?: string;
  /** Limit for the timeout test; remote providers need whole seconds. */
  loopTimeoutMs?: number;
}

export function describeSandboxConformance(
  name: string,
  factory: SandboxFactory,
  options: SandboxConformanceOptions = {},
): void {
  const suite = options.skipReason ? describe.skip : describe;
  suite(`Sandbox conformance: ${name}${options.skipReason ? ` (skipped: ${options.skipReason})` : ''}`, () => {
    let sandbox: Sandbox;
    let session: SandboxSession;
    let language: CodeLanguage;
    let programs: LanguagePrograms;
    const hostCalls: string[] = [];

    beforeAll(async () => {
      sandbox = await factory();
      language = sandbox.capabilities.languages[0]!;
      programs = PROGRAMS[language];
      session = await sandbox.openSession({
        ...(sandbox.capabilities.hostFunctions
          ? {
              hostFunctions: {
                double: async (value) => {
                  hostCalls.push(`double(${JSON.stringify(value)})`);
                  return Number(value) * 2;
                },
                explode: async () => {
                  throw new Error('tool failed on purpose');
                },
              },
            }
          : {}),
        files: { 'seed/preloaded.txt': 'from openSession' },
      });
    }, 60_000);

    afterAll(async () => {
      await session?.close();
      await sandbox?.close();
    }, 60_000);

    it('runs a program and returns what it printed, exit code 0 and no stop reason', async () => {
      const result = await session.run(programs.hello, { language });
      expect(result.stdout).toContain('hello sandbox');
      expect(result.exitCode).toBe(0);
      expect(result.stoppedBy).toBeNull();
      expect(result.truncated).toBe(false);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('reports a failing program with a non-zero exit code and its error on stderr or stdout', async () => {
      const result = await session.run(programs.fails, { language });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr + result.stdout).toContain('deliberate failure');
      expect(result.stoppedBy).toBeNull();
    });

    it('keeps a value defined by one run for the next run of the session, where the provider is stateful', async (context) => {
      if (!sandbox.capabilities.stateful) context.skip(`${name} is not stateful between runs`);
      expect((await session.run(programs.defineState, { language })).exitCode).toBe(0);
      const result = await session.run(programs.useState, { language });
      expect(result.stdout.trim()).toBe('42');
    });

    it('lets a program read uploaded files and write results the host can list, read and sees in filesCreated', async () => {
      await session.writeFile('input.txt', 'roma sandbox');
      const result = await session.run(programs.transformFile, { language });
      expect(result.exitCode).toBe(0);
      expect(result.filesCreated).toContain('results/upper.txt');
      expect(result.filesCreated).not.toContain('input.txt');
      expect(await session.readTextFile('results/upper.txt')).toBe('ROMA SANDBOX');
      const listed = await session.listFiles('results');
      expect(listed.map((file) => file.path)).toEqual(['results/upper.txt']);
      expect(listed[0]!.sizeBytes).toBe(12);
      const everything = (await session.listFiles()).map((file) => file.path);
      expect(everything).toEqual(
        expect.arrayContaining(['input.txt', 'results/upper.txt', 'seed/preloaded.txt']),
      );
      expect(new TextDecoder().decode(await session.readFile('seed/preloaded.txt'))).toBe('from openSession');
    });

    it('cuts output at maxOutputChars with a visible marker', async () => {
      const result = await session.run(programs.longOutput, { language, maxOutputChars: 100 });
      expect(result.truncated).toBe(true);
      expect(result.stdout.startsWith('y'.repeat(100))).toBe(true);
      expect(result.stdout).toMatch(/…\[truncated \d+ chars\]$/);
      expect(result.stdout.length).toBeLessThan(200);
    });

    it('stops an endless program at the time limit, says so, and the next run works', async () => {
      const result = await session.run(programs.infiniteLoop, {
        language,
        timeoutMs: options.loopTimeoutMs ?? 500,
      });
      expect(['timeout', 'interrupt']).toContain(result.stoppedBy);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toMatch(/time limit/);
      const next = await session.run(programs.hello, { language });
      expect(next.stdout).toContain('hello sandbox');
    }, 30_000);

    it('stops a run when its AbortSignal fires', async () => {
      const controller = new AbortController();
      const running = session.run(programs.infiniteLoop, {
        language,
        timeoutMs: options.loopTimeoutMs ?? 20_000,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 200);
      const result = await running;
      expect(result.stoppedBy).toBe('cancelled');
      expect(result.exitCode).not.toBe(0);
    }, 30_000);

    it('lets guest code call host functions in parallel and catch a host error', async (context) => {
      if (!sandbox.capabilities.hostFunctions) context.skip(`${name} has no host functions`);
      hostCalls.length = 0;
      const result = await session.run(programs.parallelHostCalls, { language });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('2,4,6');
      expect(hostCalls.sort()).toEqual(['double(1)', 'double(2)', 'double(3)']);
      const failing = await session.run(programs.hostError, { language });
      expect(failing.stdout).toContain('caught: tool failed on purpose');
      expect(failing.exitCode).toBe(0);
    });

    it('rejects workspace paths that leave the workspace', async () => {
      await expect(session.writeFile('../escape.txt', 'x')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(session.readFile('/../../etc/passwd')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('reports a missing file as NOT_FOUND', async () => {
      await expect(session.readTextFile('no/such/file.txt')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('refuses a language the provider does not run', async (context) => {
      const all: CodeLanguage[] = ['python', 'typescript', 'javascript'];
      const missing = all.find((candidate) => !sandbox.capabilities.languages.includes(candidate));
      if (!missing) return context.skip(`${name} runs every language, so none can be refused`);
      await expect(session.run('1', { language: missing })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('refuses a program over MAX_PROGRAM_BYTES (UTF-8 bytes) before running it, and runs one at the bound', async () => {
      const comment = language === 'python' ? '# ' : '// ';
      const padding = MAX_PROGRAM_BYTES - comment.length - 1 - Buffer.byteLength(programs.hello);
      const atBound = `${comment}${'x'.repeat(padding)}\n${programs.hello}`;
      expect(Buffer.byteLength(atBound)).toBe(MAX_PROGRAM_BYTES);
      // Same length in chars, one byte more: 'é' is two bytes of UTF-8.
      const overBound = `${comment}é${'x'.repeat(padding - 1)}\n${programs.hello}`;
      await expect(session.run(overBound, { language })).rejects.toMatchObject({
        code: 'SANDBOX_LIMIT',
        field: 'code',
        message: expect.stringContaining(`at most ${MAX_PROGRAM_BYTES} bytes`),
        fix: expect.stringContaining('smaller program'),
      });
      const accepted = await session.run(atBound, { language, timeoutMs: 60_000 });
      expect(accepted.stdout).toContain('hello sandbox');
      expect(accepted.exitCode).toBe(0);
    }, 120_000);

    it('closes idempotently, and a closed session refuses to run', async () => {
      const extra = await sandbox.openSession();
      await extra.close();
      await extra.close();
      await expect(extra.run(programs.hello, { language })).rejects.toMatchObject({ code: 'SANDBOX_FAILED' });
    }, 60_000);
  });
}
