// Runs the Sandbox conformance and hostile-code suites against the isolate provider, plus isolate-only checks.
import { describe, expect, it } from 'vitest';
import { describeHostileSuite } from '../hostile.conformance.js';
import { MAX_PROGRAM_BYTES } from '../limits.js';
import { describeSandboxConformance } from '../sandbox.conformance.js';
import { MAX_WORKSPACE_CHARS, MAX_WORKSPACE_FILES, MAX_WORKSPACE_PATH_CHARS } from './bounded-files.js';
import { createIsolateSandbox, ISOLATE_CAPABILITIES } from './isolate-sandbox.js';

describeSandboxConformance('isolate', () => createIsolateSandbox({ poolSize: 1 }));
describeHostileSuite('isolate', () => createIsolateSandbox({ poolSize: 1 }), ISOLATE_CAPABILITIES.languages);

describe('isolate provider', () => {
  it('bounds the workspace by names and file count too, and the session keeps working', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession();
    try {
      // Empty files with 1,000-char names: contents alone never reach the bound.
      const flood = await session.run(
        'let written = 0; try { for (let i = 0; i < 40_000; i++) { workspace.writeFile("n".repeat(990) + i, ""); written++ } }' +
          ' catch (error) { console.log(written, String(error)) }',
        { language: 'javascript', timeoutMs: 60_000 },
      );
      expect(flood.stdout).toMatch(/^\d+ Error: workspace is full \((10000 files|32000000 chars)/);
      const files = await session.listFiles();
      expect(files.length).toBeLessThanOrEqual(MAX_WORKSPACE_FILES);
      expect(files.reduce((sum, file) => sum + file.path.length + file.sizeBytes, 0)).toBeLessThanOrEqual(
        MAX_WORKSPACE_CHARS,
      );
      const longName = await session.run(
        `try { workspace.writeFile("x".repeat(${MAX_WORKSPACE_PATH_CHARS + 1}), "") } catch (error) { console.log(String(error)) }`,
      );
      expect(longName.stdout).toMatch(/path of 1025 chars is longer than 1024/);
      await expect(session.writeFile('one-more.txt', 'x')).rejects.toMatchObject({ code: 'SANDBOX_LIMIT' });
      // A fresh worker gets the kept files back (the session used to crash-loop here) and still runs.
      const stuck = await session.run('while (true) {}', { timeoutMs: 100 });
      expect(stuck.stoppedBy).not.toBeNull();
      const after = await session.run('console.log(workspace.listFiles().length > 0)');
      expect(after.stdout).toBe('true\n');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 120_000);

  it('counts file names against the character bound, not contents alone', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession();
    try {
      // Contents just under the bound leave room for 10 short files, not for a hundred 1,000-char names.
      const room = 10_000;
      const result = await session.run(
        `workspace.writeFile("big", "b".repeat(${MAX_WORKSPACE_CHARS - 3 - room}));` +
          ' let written = 0; try { for (let i = 0; i < 100; i++) { workspace.writeFile("n".repeat(990) + i, ""); written++ } }' +
          ' catch (error) { console.log(written, String(error)) }',
        { language: 'javascript', timeoutMs: 60_000 },
      );
      expect(result.stdout).toMatch(
        /^(9|10) Error: workspace is full \(32000000 chars of paths and contents\)/,
      );
      // Positive control: short names still fit in the room left.
      const short = await session.run('workspace.writeFile("s", "x"); console.log("ok")');
      expect(short.stdout).toBe('ok\n');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 120_000);

  it('transpiles TypeScript inside the worker under the run time limit, never blocking the host', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession();
    // Just under MAX_PROGRAM_BYTES of type aliases: seconds of sucrase, nothing left to evaluate afterwards.
    const line = 'type T = { a: string; b: Array<Map<string, number>> };\n';
    const program = line.repeat(Math.floor(MAX_PROGRAM_BYTES / line.length));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const result = await session.run(program, { language: 'typescript', timeoutMs: 200 });
      clearInterval(ticker);
      // The wall clock ends the busy thread, or the worker, done within the second of grace, ends the run.
      expect(result.stoppedBy, result.stderr).toBe('timeout');
      expect(result.exitCode).toBe(124);
      expect(result.stderr).toMatch(/stopped after the time limit of 200 ms/);
      // The host's event loop kept turning while the program was being transpiled.
      expect(ticks).toBeGreaterThanOrEqual(5);
      // Past the bound the program is refused before any transpile, and the session is unharmed.
      await expect(session.run(program + line.repeat(100), { language: 'typescript' })).rejects.toMatchObject(
        {
          code: 'SANDBOX_LIMIT',
          field: 'code',
        },
      );
      const after = await session.run('const n: number = 41; console.log(n + 1)', { language: 'typescript' });
      expect(after.stdout).toBe('42\n');
    } finally {
      clearInterval(ticker);
      await session.close();
      await sandbox.close();
    }
  }, 60_000);

  it('stops a short program whose transpile is exponential at the run time limit (nested arrow defaults)', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession();
    // Under 300 characters; sucrase backtracks through every nested `(a = ...) =>`, ~3x per two levels:
    // seconds of parsing with nothing to run afterwards.
    let program = '0';
    for (let level = 0; level < 22; level++) program = `(a${level} = ${program}) => 0`;
    program = `const f = ${program};`;
    expect(program.length).toBeLessThan(300);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const result = await session.run(program, { language: 'typescript', timeoutMs: 500 });
      clearInterval(ticker);
      expect(result.stoppedBy, result.stderr).toBe('timeout');
      expect(result.stderr).toMatch(/stopped after the time limit of 500 ms/);
      expect(ticks).toBeGreaterThanOrEqual(5);
      // Positive control: the same nesting, shallow, transpiles and runs.
      const shallow = await session.run('const f = (a = (b = 1) => b) => a(); console.log(f())', {
        language: 'typescript',
      });
      expect(shallow.stdout).toBe('1\n');
    } finally {
      clearInterval(ticker);
      await session.close();
      await sandbox.close();
    }
  }, 60_000);

  it('ends only the run when the worker exhausts its heap while transpiling, and the session keeps working', async () => {
    // Just under MAX_PROGRAM_BYTES of one-token statements: sucrase needs ~250 MB of heap for it, far over a
    // 128 MB worker. (A bare worker with Node 24's default young generation, transpiling it, took the whole
    // process down in 4 of 4 trials; see worker-pool.ts.)
    const program = `let a = 0;\n${'a;'.repeat(524_000)}\nconsole.log('transpiled and ran')`;
    expect(program.length).toBeLessThanOrEqual(MAX_PROGRAM_BYTES);
    const small = createIsolateSandbox({ poolSize: 0, workerHeapMb: 128 });
    const roomy = createIsolateSandbox({ poolSize: 0 });
    try {
      const session = await small.openSession();
      await session.run('workspace.writeFile("kept.txt", "kept")');
      const result = await session.run(program, { language: 'typescript', timeoutMs: 120_000 });
      expect(result.stoppedBy, result.stderr).toBe('memory');
      expect(result.exitCode).toBe(124);
      expect(result.stderr).toMatch(/ran out of its heap while transpiling or running the program/);
      // This process (the host) is still here, and the session goes on in a fresh worker with its files.
      const after = await session.run('console.log(workspace.readFile("kept.txt"))');
      expect(after.stdout).toBe('kept\n');
      // Positive control: the same program fits the default worker heap and runs.
      const control = await (await roomy.openSession()).run(program, {
        language: 'typescript',
        timeoutMs: 120_000,
      });
      expect(control.stoppedBy, control.stderr).toBeNull();
      expect(control.stdout).toBe('transpiled and ran\n');
    } finally {
      await small.close();
      await roomy.close();
    }
  }, 300_000);

  it('refuses oversized guest strings before they leave QuickJS, as the host would refuse them', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession({ hostFunctions: { echo: async (value) => value } });
    try {
      const refused = await session.run(
        [
          'const big = "x".repeat(40_000_000);',
          'try { workspace.writeFile("big.txt", big) } catch (error) { console.log(String(error)) }',
          'try { workspace.writeFile("p".repeat(5000), "") } catch (error) { console.log(String(error)) }',
          'const call = echo("y".repeat(9_000_000));',
          'console.log(call instanceof Promise, await call.catch((error) => error.name + ": " + error.message));',
          'console.log(big)',
        ].join('\n'),
        { language: 'javascript', memoryMb: 512, timeoutMs: 60_000 },
      );
      expect(refused.stdout).toBe(
        'Error: workspace is full (32000000 chars of paths and contents)\n' +
          'Error: path of 5000 chars is longer than 1024\n' +
          'true HostFunctionError: arguments of echo: 9000004 chars of JSON exceed the bound of 8000000\n',
      );
      expect(refused.stoppedBy).toBe('output');
      // Positive control: strings within the bounds get through.
      const accepted = await session.run(
        'workspace.writeFile("small.txt", "x".repeat(1000)); console.log((await echo("z".repeat(1000))).length, workspace.readFile("small.txt").length)',
      );
      expect(accepted.stdout).toBe('1000 1000\n');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 120_000);

  it('meets deep nesting with its own catchable stack overflow, never a native one that ends the run', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession({ hostFunctions: { echo: async (value) => value } });
    const programs = [
      "JSON.parse('['.repeat(1e6))",
      "eval('('.repeat(1e5) + '1' + ')'.repeat(1e5))",
      'let v = 1; for (let i = 0; i < 20000; i++) v = [v]; await echo(v)',
      'function down(n) { return down(n + 1) + 1 } down(0)',
    ];
    try {
      for (const program of programs) {
        const result = await session.run(
          `try { ${program}; console.log('no error') } catch (error) { console.log(String(error)) }`,
          { language: 'javascript', timeoutMs: 20_000 },
        );
        expect({ program, stoppedBy: result.stoppedBy, stderr: result.stderr }).toEqual({
          program,
          stoppedBy: null,
          stderr: '',
        });
        expect(result.stdout).toMatch(/stack overflow|nests deeper than/);
      }
      expect((await session.run('console.log((await echo([[1]]))[0][0])')).stdout).toBe('1\n');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 120_000);

  it('runs 1000 programs in one session without leaking handles, keeping state', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession({ hostFunctions: { echo: async (value) => value } });
    try {
      await session.run('let total = 0');
      for (let index = 0; index < 1000; index++) {
        const result = await session.run(
          index % 10 === 0
            ? 'total += (await echo({ n: 1 })).n'
            : 'total += 1; const local = [1, 2, 3].map((x) => x * 2)',
          { language: 'javascript' },
        );
        if (result.exitCode !== 0) throw new Error(`run ${index} failed: ${result.stderr}`);
      }
      const final = await session.run('console.log(total)');
      expect(final.stdout.trim()).toBe('1000');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 60_000);

  it('terminates a worker stuck past its interrupt and the session keeps its files in a fresh worker', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 1 });
    const session = await sandbox.openSession();
    try {
      await session.run('workspace.writeFile("keep.txt", "kept"); globalThis.lost = 1');
      // A host call that never answers before the deadline: only the wall clock can end this run.
      const result = await session.run('await new Promise((resolve) => setTimeout(resolve, 60_000))', {
        timeoutMs: 300,
      });
      expect(['timeout', 'interrupt']).toContain(result.stoppedBy);
      const after = await session.run('console.log(workspace.readFile("keep.txt"))');
      expect(after.stdout.trim()).toBe('kept');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 30_000);

  it('fails host calls beyond the per-run cap fast, so a loop cannot hammer the tools', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    let calls = 0;
    const session = await sandbox.openSession({ hostFunctions: { ping: async () => ++calls } });
    try {
      const result = await session.run(
        'const settled = await Promise.allSettled(Array.from({ length: 10_005 }, () => ping()));' +
          ' console.log(settled.filter((s) => s.status === "rejected").length, settled.find((s) => s.status === "rejected").reason.message)',
        { timeoutMs: 30_000 },
      );
      expect(result.stdout).toMatch(/^5 this run made more than 10000 host function calls/);
      expect(calls).toBe(10_000);
      const next = await session.run('console.log(await ping())');
      expect(next.stdout.trim()).toBe('10001');
    } finally {
      await session.close();
      await sandbox.close();
    }
  }, 60_000);

  it('gives a clear error for a program that awaits something nothing will settle', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession();
    try {
      const result = await session.run('await new Promise(() => {})');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('nothing will settle');
    } finally {
      await session.close();
      await sandbox.close();
    }
  });

  it('reports a TypeScript syntax error with exit code 1', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession();
    try {
      const result = await session.run('const x: number = ;');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/SyntaxError/);
    } finally {
      await session.close();
      await sandbox.close();
    }
  });

  it('exposes dotted host function names as nested objects and rejects names guests cannot call', async () => {
    const sandbox = createIsolateSandbox({ poolSize: 0 });
    const session = await sandbox.openSession({
      hostFunctions: { 'github.search_issues': async (query) => ({ query, count: 2 }) },
    });
    try {
      const result = await session.run(
        'const found = await github.search_issues("bug"); console.log(found.count, found.query)',
      );
      expect(result.stdout.trim()).toBe('2 bug');
      await expect(
        sandbox.openSession({ hostFunctions: { 'bad-name': async () => null } }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    } finally {
      await session.close();
      await sandbox.close();
    }
  });
});
