// Code written to escape or exhaust the sandbox, run against every provider that runs here: each attempt is
// contained (a clear error or a harmless result), the host is untouched, and the next run still works.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLanguage, SandboxProviderName } from '../contracts/index.js';
import { MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS } from './host-functions.js';
import type { JsonValue, Sandbox, SandboxSession } from './sandbox.js';

interface HostileFixtures {
  secretEnvName: string;
  secretValue: string;
  /** A host file outside the workspace holding `secretValue`. */
  hostSecretFile: string;
  /** A host path a program tries to create. */
  hostWriteTarget: string;
}

/** Attack programs; each prints or fails, and must not reveal `secretValue` or touch the host. */
interface HostilePrograms {
  readEnvironment: (fixtures: HostileFixtures) => string;
  readHostFiles: (fixtures: HostileFixtures) => string;
  connectRedis: string;
  connectOutside: string;
  swallowInterrupts: string;
  memoryBomb: string;
  deepRecursion: string;
  hugeOutput: string;
  writeOutside: (fixtures: HostileFixtures) => string;
  forkBomb?: string;
  /** Allocates ~16 MB and prints `allocated`. */
  allocateModerately: string;
  hello: string;
}

/** PING to 127.0.0.1:6379 through Node's net module: 'redis said +PONG' where it gets through. */
const NODE_REDIS_PROBE =
  "const net = require('net'); await new Promise((resolve) => { const socket = net.connect(6379, '127.0.0.1', () => socket.write('PING\\r\\n')); socket.on('data', (data) => { console.log('redis said', String(data)); socket.destroy(); resolve() }); socket.on('error', (error) => { console.log('denied', error.code); resolve() }); setTimeout(resolve, 2000).unref() })";

const PYTHON: HostilePrograms = {
  readEnvironment: () =>
    'import os\nprint(sorted(os.environ.items()))\nprint(open("/proc/1/environ","rb").read())',
  readHostFiles: (fixtures) =>
    [
      'import os',
      `for path in ["/etc/shadow", ${JSON.stringify(fixtures.hostSecretFile)}, ${JSON.stringify(join(process.cwd(), '.env'))}, "/proc/1/root/etc/shadow"]:`,
      '    try:',
      '        print(path, open(path).read()[:200])',
      '    except Exception as error:',
      '        print(path, "denied:", type(error).__name__)',
    ].join('\n'),
  connectRedis:
    'import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(("127.0.0.1", 6379))\ns.send(b"PING\\r\\n")\nprint("redis said", s.recv(100))',
  connectOutside:
    'import socket\ns = socket.create_connection(("1.1.1.1", 80), timeout=2)\nprint("connected outside")',
  swallowInterrupts:
    'import signal\nfor number in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):\n    signal.signal(number, signal.SIG_IGN)\n' +
    'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass',
  memoryBomb: 'blocks = []\nwhile True:\n    blocks.append(bytearray(10 * 1024 * 1024))',
  deepRecursion: 'import sys\nsys.setrecursionlimit(10**9)\ndef down(n):\n    return down(n + 1)\ndown(0)',
  hugeOutput: 'import sys\nchunk = "z" * 65536\nfor _ in range(1700):\n    sys.stdout.write(chunk)',
  writeOutside: (fixtures) =>
    [
      'import os',
      `for path in ["/etc/roma-escape", "/usr/roma-escape", ${JSON.stringify(fixtures.hostWriteTarget)}, "/workspace/../roma-escape"]:`,
      '    try:',
      '        open(path, "w").write("escaped")',
      '        print(path, "written (inside the sandbox only)")',
      '    except Exception as error:',
      '        print(path, "denied:", type(error).__name__)',
      'os.makedirs("results", exist_ok=True)',
      'os.symlink("/etc/hostname", "results/link")',
    ].join('\n'),
  forkBomb: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass',
  allocateModerately: 'data = bytearray(16 * 1024 * 1024)\nprint("allocated", len(data))',
  hello: 'print("still fine")',
};

const JAVASCRIPT: HostilePrograms = {
  readEnvironment: () =>
    'const found = []; for (const name of ["process", "require", "Deno", "Bun", "fetch", "XMLHttpRequest", "WebSocket"]) found.push(name + ":" + typeof globalThis[name]); console.log(found.join(" "));' +
    ' try { console.log(String(({}).constructor.constructor("return typeof process === \\"undefined\\" ? \\"no process\\" : JSON.stringify(process.env)")())) } catch (error) { console.log("denied", String(error)) }',
  readHostFiles: (fixtures) =>
    `for (const path of ["/etc/shadow", ${JSON.stringify(fixtures.hostSecretFile)}, "../.env", ".env"]) { try { console.log(path, workspace.readFile(path)) } catch (error) { console.log(path, "denied:", String(error)) } }`,
  // The very probe Node runs (and the positive control runs outside): here `require` is what is missing.
  connectRedis: `console.log(typeof fetch, typeof WebSocket, typeof require); try { ${NODE_REDIS_PROBE} } catch (error) { console.log("denied", String(error)) }`,
  connectOutside:
    'try { await fetch("http://1.1.1.1/") } catch (error) { console.log("denied", String(error)) }',
  swallowInterrupts: 'while (true) { try { while (true) {} } catch (error) {} finally { continue } }',
  memoryBomb: 'const blocks = []; while (true) blocks.push(new Array(100000).fill(blocks.length))',
  deepRecursion: 'function down(n) { return down(n + 1) + 1 } down(0)',
  hugeOutput: 'const chunk = "z".repeat(65536); for (let i = 0; i < 1700; i++) console.log(chunk)',
  writeOutside: (fixtures) =>
    `for (const path of ["/etc/roma-escape", ${JSON.stringify(fixtures.hostWriteTarget)}, "../roma-escape"]) { try { workspace.writeFile(path, "escaped"); console.log(path, "written (workspace only)") } catch (error) { console.log(path, "denied:", String(error)) } }`,
  allocateModerately: 'const data = new Array(2_000_000).fill(1); console.log("allocated", data.length)',
  hello: 'console.log("still fine")',
};

// Node inside bubblewrap: require, child_process, net and fs are all there, so they are what is attacked.
const NODE: HostilePrograms = {
  readEnvironment: () =>
    "const fs = require('fs'); console.log(JSON.stringify(process.env)); console.log(require('child_process').execSync('env', { encoding: 'utf8' }));" +
    " for (const pid of fs.readdirSync('/proc').filter((name) => /^\\d+$/.test(name))) { try { console.log(pid, fs.readFileSync('/proc/' + pid + '/environ', 'utf8')) } catch (error) { console.log(pid, 'denied', error.code) } }",
  readHostFiles: (fixtures) =>
    `const fs = require('fs'); for (const path of ["/etc/shadow", ${JSON.stringify(fixtures.hostSecretFile)}, ${JSON.stringify(join(process.cwd(), '.env'))}, "/proc/1/root/etc/shadow", "../.env"]) { try { console.log(path, fs.readFileSync(path, 'utf8').slice(0, 200)) } catch (error) { console.log(path, 'denied:', error.code) } }` +
    `; try { console.log(require('child_process').execSync('cat /etc/shadow ${fixtures.hostSecretFile} 2>&1; ls -la /home /root 2>&1', { encoding: 'utf8' })) } catch (error) { console.log('denied', String(error.stdout)) }`,
  connectRedis: NODE_REDIS_PROBE,
  connectOutside:
    "const net = require('net'); await new Promise((resolve) => { const socket = net.connect(80, '1.1.1.1', () => { console.log('connected outside'); socket.destroy(); resolve() }); socket.on('error', (error) => { console.log('denied', error.code); resolve() }); setTimeout(resolve, 2000).unref() }); try { await fetch('http://1.1.1.1/'); console.log('connected outside') } catch (error) { console.log('denied', String(error)) }",
  swallowInterrupts:
    "for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGALRM']) process.on(signal, () => {}); while (true) { try { while (true) {} } catch {} }",
  memoryBomb: 'const blocks = []; while (true) blocks.push(new Array(100000).fill(blocks.length))',
  deepRecursion: 'function down(n) { return down(n + 1) + 1 } down(0)',
  hugeOutput: 'const chunk = "z".repeat(65536); for (let i = 0; i < 1700; i++) process.stdout.write(chunk)',
  writeOutside: (fixtures) =>
    `const fs = require('fs'); for (const path of ["/etc/roma-escape", "/usr/roma-escape", ${JSON.stringify(fixtures.hostWriteTarget)}, "/workspace/../roma-escape"]) { try { fs.writeFileSync(path, "escaped"); console.log(path, "written (inside the sandbox only)") } catch (error) { console.log(path, "denied:", error.code) } }` +
    "; fs.mkdirSync('results', { recursive: true }); fs.symlinkSync('/etc/hostname', 'results/link')",
  forkBomb:
    "const { spawn } = require('child_process'); for (let i = 0; ; i++) { try { spawn('/bin/sh', ['-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' }).on('error', () => {}) } catch {} if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve)) }",
  allocateModerately: 'const data = new Array(2_000_000).fill(1); console.log("allocated", data.length)',
  hello: 'console.log("still fine")',
};

/** Runs a program with the host's own interpreter, unsandboxed: the positive control of a network probe. */
function runOutsideSandbox(language: CodeLanguage, program: string): string {
  const result =
    language === 'python'
      ? spawnSync('/usr/bin/python3', ['-c', program], { encoding: 'utf8', timeout: 10_000 })
      : spawnSync(process.execPath, ['-e', `(async () => {${program}\n})()`], {
          encoding: 'utf8',
          timeout: 10_000,
        });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/** Daytona runs JavaScript as a plain script (no top-level await): each program becomes an async IIFE. */
function asScripts(programs: HostilePrograms): HostilePrograms {
  const wrap = (code: string) =>
    `(async () => {\n${code}\n})().catch((error) => { console.log(String(error && error.stack || error)); process.exitCode = 1 })`;
  const wrapped = Object.fromEntries(
    Object.entries(programs).map(([key, program]) => [
      key,
      typeof program === 'function' ? (fixtures: HostileFixtures) => wrap(program(fixtures)) : wrap(program),
    ]),
  );
  return wrapped as unknown as HostilePrograms;
}

/** The attack programs for one language as one provider runs it (Node in bubblewrap is not QuickJS). */
function hostilePrograms(provider: SandboxProviderName, language: CodeLanguage): HostilePrograms {
  if (language === 'python') return PYTHON;
  if (provider === 'process') return NODE;
  if (provider === 'daytona') return asScripts(NODE);
  // TypeScript goes through the type stripper first: the check that the session still works uses types.
  return language === 'typescript'
    ? { ...JAVASCRIPT, hello: 'const message: string = "still fine"; console.log(message as string)' }
    : JAVASCRIPT;
}

interface HostileSuiteOptions {
  skipReason?: string;
}

/** The hostile suite once per language the provider runs (each with its own sandbox and session). */
/** Makes the sandbox under test; a provider whose sandboxes have one language each (daytona) gets it. */
type HostileSandboxFactory = (language: CodeLanguage) => Sandbox | Promise<Sandbox>;

export function describeHostileSuite(
  name: string,
  factory: HostileSandboxFactory,
  languages: readonly CodeLanguage[],
  options: HostileSuiteOptions = {},
): void {
  for (const language of languages) describeHostileLanguage(name, factory, language, options);
}

function describeHostileLanguage(
  name: string,
  factory: HostileSandboxFactory,
  language: CodeLanguage,
  options: HostileSuiteOptions,
): void {
  const suite = options.skipReason ? describe.skip : describe;
  const title = `hostile code is contained: ${name} (${language})`;
  suite(`${title}${options.skipReason ? ` (skipped: ${options.skipReason})` : ''}`, () => {
    let sandbox: Sandbox;
    let session: SandboxSession;
    let programs: HostilePrograms;
    const receivedArgs: JsonValue[][] = [];
    const heldChars = { now: 0, max: 0 };
    const fixtures: HostileFixtures = {
      secretEnvName: `ROMA_HOSTILE_SECRET_${randomUUID().slice(0, 8).toUpperCase()}`,
      secretValue: `s3cret-${randomUUID()}`,
      hostSecretFile: join(tmpdir(), `roma-hostile-secret-${randomUUID()}.txt`),
      hostWriteTarget: join(tmpdir(), `roma-hostile-write-${randomUUID()}.txt`),
    };

    beforeAll(async () => {
      process.env[fixtures.secretEnvName] = fixtures.secretValue;
      writeFileSync(fixtures.hostSecretFile, fixtures.secretValue);
      sandbox = await factory(language);
      if (!sandbox.capabilities.languages.includes(language)) {
        throw new Error(
          `${sandbox.provider} does not run ${language}: remove it from this suite's languages`,
        );
      }
      programs = hostilePrograms(sandbox.provider, language);
      // A remote guest (daytona) has no host functions: its session opens without them.
      session = await sandbox.openSession({
        hostFunctions: !sandbox.capabilities.hostFunctions
          ? {}
          : {
              // Returns an object whose own "__proto__" key tries to pollute the guest's Object.prototype.
              pollute: async (...args) => {
                receivedArgs.push(args);
                return JSON.parse(
                  '{"__proto__": {"polluted": "from host"}, "constructor": {"prototype": {"polluted": 1}}}',
                );
              },
              // Holds each call's argument until more than the in-flight bound is held (or 2 s pass).
              hold: async (value) => {
                const chars = JSON.stringify(value).length;
                heldChars.now += chars;
                heldChars.max = Math.max(heldChars.max, heldChars.now);
                const deadline = Date.now() + 2_000;
                while (heldChars.now <= MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS && Date.now() < deadline) {
                  await new Promise((resolve) => setTimeout(resolve, 10));
                }
                heldChars.now -= chars;
                return null;
              },
            },
      });
    }, 60_000);

    afterAll(async () => {
      delete process.env[fixtures.secretEnvName];
      rmSync(fixtures.hostSecretFile, { force: true });
      rmSync(fixtures.hostWriteTarget, { force: true });
      await session?.close();
      await sandbox?.close();
    }, 60_000);

    async function expectStillWorks(): Promise<void> {
      const result = await session.run(programs.hello, { language });
      expect(result.stdout).toContain('still fine');
      expect(result.exitCode).toBe(0);
    }

    function expectNoSecret(text: string): void {
      expect(text).not.toContain(fixtures.secretValue);
      expect(text).not.toMatch(/root:[^\n]*:\d+:\d+:/);
    }

    it('cannot read the host environment (a secret set in this test stays invisible)', async () => {
      const result = await session.run(programs.readEnvironment(fixtures), { language });
      expectNoSecret(result.stdout + result.stderr);
      expect(result.stdout + result.stderr).not.toContain(fixtures.secretEnvName);
      await expectStillWorks();
    });

    it('cannot read host files: /etc/shadow, a secret file, the project .env', async () => {
      const result = await session.run(programs.readHostFiles(fixtures), { language });
      expectNoSecret(result.stdout + result.stderr);
      await expectStillWorks();
    });

    it('cannot reach 127.0.0.1:6379 or an outside address', async () => {
      const local = await session.run(programs.connectRedis, { language, timeoutMs: 10_000 });
      expect(local.stdout).not.toContain('redis said');
      expect(local.stdout).not.toMatch(/PONG/);
      // The probe ran and was refused (not a syntax error that proves nothing).
      expect(local.stdout + local.stderr).toMatch(/denied|refused|unreachable/i);
      const outside = await session.run(programs.connectOutside, { language, timeoutMs: 10_000 });
      expect(outside.stdout).not.toContain('connected outside');
      expect(outside.stdout + outside.stderr).toMatch(/denied|refused|unreachable/i);
      await expectStillWorks();
    }, 30_000);

    it('positive control: the same Redis probe, run by the host interpreter outside the sandbox, gets PONG', async (context) => {
      const outside = runOutsideSandbox(language, programs.connectRedis);
      if (!outside.includes('redis said')) {
        context.skip(
          `Redis does not answer on 127.0.0.1:6379 outside the sandbox either: ${outside.slice(0, 200)}`,
        );
      }
      expect(outside).toMatch(/redis said.*PONG/);
    }, 30_000);

    it('stops a loop that swallows interrupts and signals', async () => {
      const result = await session.run(programs.swallowInterrupts, { language, timeoutMs: 500 });
      expect(['timeout', 'interrupt']).toContain(result.stoppedBy);
      expect(result.exitCode).not.toBe(0);
      await expectStillWorks();
    }, 30_000);

    it('contains a memory bomb', async () => {
      const result = await session.run(programs.memoryBomb, { language, memoryMb: 64, timeoutMs: 10_000 });
      expect(result.exitCode).not.toBe(0);
      // A remote sandbox's memory is its own size: the run fails, and no reason is named.
      if (sandbox.provider !== 'daytona')
        expect(['memory', 'interrupt', 'timeout']).toContain(result.stoppedBy);
      await expectStillWorks();
      // The next run has its memory back (nothing of the bomb is still referenced).
      const roomy = await session.run(programs.allocateModerately, { language, memoryMb: 64 });
      expect(roomy.stdout).toContain('allocated');
    }, 30_000);

    it('ends deep recursion with an error, not a crash of the host', async () => {
      // Room for a loaded machine: the point is the error, not how fast the interpreter gets there.
      const result = await session.run(programs.deepRecursion, { language, timeoutMs: 25_000 });
      expect(result.exitCode).not.toBe(0);
      // Daytona merges stderr into stdout.
      expect((sandbox.provider === 'daytona' ? result.stdout : result.stderr).length).toBeGreaterThan(0);
      await expectStillWorks();
    }, 60_000);

    it('bounds 100 MB of output', async () => {
      const result = await session.run(programs.hugeOutput, {
        language,
        maxOutputChars: 1000,
        timeoutMs: 20_000,
      });
      expect(result.truncated).toBe(true);
      expect(result.stdout.length).toBeLessThan(1100);
      expect(result.stdout).toMatch(/…\[truncated \d+ chars\]$/);
      await expectStillWorks();
    }, 60_000);

    it('cannot write outside the workspace, and the host does not follow a planted symlink', async () => {
      const result = await session.run(programs.writeOutside(fixtures), { language });
      expect(existsSync(fixtures.hostWriteTarget)).toBe(false);
      expect(existsSync('/etc/roma-escape')).toBe(false);
      expect(existsSync('/usr/roma-escape')).toBe(false);
      expect(result.stdout).toContain('/etc/roma-escape denied');
      if (sandbox.provider === 'process') {
        await expect(session.readFile('results/link')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        await expect(session.writeFile('results/link', 'through the link')).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
      await expectStillWorks();
    });

    it('contains a fork bomb', async (context) => {
      if (!programs.forkBomb) context.skip(`${name} (${language}) has no processes to fork`);
      const result = await session.run(programs.forkBomb!, { language, timeoutMs: 2_000 });
      expect(result.exitCode).not.toBe(0);
      await expectStillWorks();
    }, 30_000);

    it('does not let values crossing the host-function bridge pollute prototypes on either side', async (context) => {
      if (!sandbox.capabilities.hostFunctions) context.skip(`${name} has no host functions`);
      // Node in bubblewrap has `process` anyway; the isolate must not hand it out through a host function.
      const processProbe =
        sandbox.provider === 'isolate'
          ? ' try { console.log(String(pollute.constructor.constructor("return typeof process")())) } catch (error) { console.log("denied") }'
          : ' console.log("undefined")';
      const program =
        language === 'python'
          ? 'result = pollute({"__proto__": {"polluted": True}})\nprint("polluted" in dir(object()), type(result).__name__)'
          : 'const result = await pollute(JSON.parse(\'{"__proto__": {"polluted": "from guest"}}\'));' +
            ' console.log(String(({}).polluted), String(Object.prototype.polluted), typeof result.constructor);' +
            processProbe;
      const result = await session.run(program, { language });
      expect(result.exitCode).toBe(0);
      if (language === 'python') expect(result.stdout).toContain('False dict');
      else expect(result.stdout).toMatch(/^undefined undefined (object|function)\nundefined\n$/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      const lastArgs = receivedArgs.at(-1)?.[0] as Record<string, unknown> | undefined;
      expect(Object.getPrototypeOf(lastArgs)).toBe(Object.prototype);
      await expectStillWorks();
    });

    it('bounds the argument bytes that host calls still running hold on the host', async (context) => {
      if (!sandbox.capabilities.hostFunctions) context.skip(`${name} has no host functions`);
      const program =
        language === 'python'
          ? 'import roma_host\ns = "x" * 1_000_000\ntry:\n    roma_host.call_parallel([("hold", [s])] * 60)\n    print("unbounded")\nexcept roma_host.HostFunctionError as error:\n    print("limited", str(error)[:60])'
          : 'const s = "x".repeat(1_000_000);' +
            ' const settled = await Promise.allSettled(Array.from({ length: 60 }, () => hold(s)));' +
            ' const failed = settled.find((entry) => entry.status === "rejected");' +
            ' console.log(failed ? "limited " + String(failed.reason.message).slice(0, 60) : "unbounded");';
      const result = await session.run(program, { language, timeoutMs: 30_000 });
      expect(result.stdout).toMatch(/^limited host function calls still running/);
      expect(heldChars.max).toBeLessThanOrEqual(MAX_IN_FLIGHT_HOST_CALL_JSON_CHARS);
      await expectStillWorks();
    }, 40_000);
  });
}
