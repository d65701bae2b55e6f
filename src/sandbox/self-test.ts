// `roma sandbox test`: the seed's test_daytona_sandbox as steps per provider (configuration, runtime, create,
// run, files, host functions, isolation, delete), each pass/fail/warn with the fix beside a failure.
import type { SandboxConfig } from '../config/sections/sandbox.js';
import { type CodeLanguage, isRomaError, type SandboxProviderName } from '../contracts/index.js';
import { createSandboxFromConfig } from './create.js';
import { probeBubblewrap, resolveBwrap, resolvePython } from './process/environment.js';
import type { Sandbox, SandboxSession } from './sandbox.js';

export type SelfTestStatus = 'pass' | 'fail' | 'warn';

export interface SelfTestStep {
  provider: SandboxProviderName;
  name: string;
  status: SelfTestStatus;
  detail: string;
  fix?: string;
  durationMs: number;
}

export interface SelfTestReport {
  steps: SelfTestStep[];
  passed: number;
  failed: number;
  warned: number;
  ok: boolean;
}

const SECRET_NAME = 'ROMA_SANDBOX_SELF_TEST_SECRET';

const PROGRAMS: Record<CodeLanguage, { hello: string; files: string; host: string; isolation: string }> = {
  python: {
    hello: 'print("hello from the sandbox")',
    files:
      'import os\nos.makedirs("results", exist_ok=True)\n' +
      'open("results/out.txt", "w").write(open("input.txt").read().upper())\nprint("ok")',
    host: 'print(add(2, 3))',
    isolation: `import os\nprint(os.environ.get("${SECRET_NAME}", "absent"))`,
  },
  typescript: {
    hello: 'console.log("hello from the sandbox")',
    files:
      'workspace.writeFile("results/out.txt", workspace.readFile("input.txt").toUpperCase()); console.log("ok")',
    host: 'console.log(await add(2, 3))',
    isolation: `console.log(typeof process === 'undefined' ? 'absent' : String(process.env.${SECRET_NAME}))`,
  },
  javascript: {
    hello: 'console.log("hello from the sandbox")',
    files:
      'workspace.writeFile("results/out.txt", workspace.readFile("input.txt").toUpperCase()); console.log("ok")',
    host: 'console.log(await add(2, 3))',
    isolation: `console.log(typeof process === 'undefined' ? 'absent' : String(process.env.${SECRET_NAME}))`,
  },
};

interface SelfTestOptions {
  /** Only this provider; default: isolate and process, plus daytona when a key is configured. */
  provider?: SandboxProviderName;
  /** Bound of each step. */
  stepTimeoutMs?: number;
}

export async function runSandboxSelfTest(
  config: SandboxConfig,
  options: SelfTestOptions = {},
): Promise<SelfTestReport> {
  const steps: SelfTestStep[] = [];
  const providers: SandboxProviderName[] = options.provider
    ? [options.provider]
    : ['isolate', 'process', 'daytona'];
  for (const provider of providers) {
    await testProvider(
      provider,
      config,
      steps,
      options.stepTimeoutMs ?? 60_000,
      options.provider === provider,
    );
  }
  const passed = steps.filter((step) => step.status === 'pass').length;
  const failed = steps.filter((step) => step.status === 'fail').length;
  const warned = steps.filter((step) => step.status === 'warn').length;
  return { steps, passed, failed, warned, ok: failed === 0 };
}

async function testProvider(
  provider: SandboxProviderName,
  config: SandboxConfig,
  steps: SelfTestStep[],
  stepTimeoutMs: number,
  explicitlyAsked: boolean,
): Promise<void> {
  const record = (name: string, status: SelfTestStatus, detail: string, durationMs = 0, fix?: string) =>
    steps.push({ provider, name, status, detail, durationMs, ...(fix ? { fix } : {}) });

  // Step 1: configuration.
  if (provider === 'daytona') {
    if (!config.daytonaApiKey) {
      // Without a key Daytona is skipped, not failed — unless the user asked for it by name.
      record(
        'configuration',
        explicitlyAsked ? 'fail' : 'warn',
        'DAYTONA_API_KEY is not set: Daytona skipped',
        0,
        'set DAYTONA_API_KEY to test cloud sandboxes (https://app.daytona.io)',
      );
      return;
    }
    record('configuration', 'pass', `API key configured (${maskKey(config.daytonaApiKey)})`);
  } else if (provider === 'process') {
    try {
      const bwrap = resolveBwrap();
      const python = resolvePython();
      const probe = probeBubblewrap(bwrap);
      if (!probe.ok) {
        record('configuration', explicitlyAsked ? 'fail' : 'warn', probe.detail, 0, probe.fix);
        return;
      }
      record(
        'configuration',
        'pass',
        `bubblewrap at ${bwrap}; python at ${python ?? 'none (javascript only)'}`,
      );
    } catch (error) {
      record('configuration', explicitlyAsked ? 'fail' : 'warn', describe(error), 0, fixOf(error));
      return;
    }
  } else {
    record('configuration', 'pass', 'no configuration needed (QuickJS WebAssembly in a worker thread)');
  }

  // Step 2: runtime / SDK.
  let sandbox: Sandbox;
  let started = performance.now();
  try {
    sandbox = createSandboxFromConfig({ ...config, poolSize: 0 }, provider);
    record('runtime', 'pass', runtimeDetail(provider), performance.now() - started);
  } catch (error) {
    record('runtime', 'fail', describe(error), performance.now() - started, fixOf(error));
    return;
  }

  const language = sandbox.capabilities.languages[0]!;
  const programs = PROGRAMS[language];
  let session: SandboxSession | undefined;
  const previousSecret = process.env[SECRET_NAME];
  process.env[SECRET_NAME] = 'leaked-if-you-can-read-this';
  try {
    // Step 3: create.
    started = performance.now();
    try {
      session = await withTimeout(
        sandbox.openSession({
          timeoutMs: stepTimeoutMs,
          ...(sandbox.capabilities.hostFunctions
            ? { hostFunctions: { add: async (a, b) => Number(a) + Number(b) } }
            : {}),
        }),
        stepTimeoutMs,
      );
      record('create', 'pass', 'session opened', performance.now() - started);
    } catch (error) {
      record('create', 'fail', describe(error), performance.now() - started, fixOf(error));
      return;
    }

    // Step 4: run.
    started = performance.now();
    const hello = await session.run(programs.hello, { language, timeoutMs: stepTimeoutMs });
    const helloOk = hello.exitCode === 0 && hello.stdout.includes('hello from the sandbox');
    record(
      'run',
      helloOk ? 'pass' : 'fail',
      helloOk
        ? `${language} ran in ${Math.round(hello.durationMs)} ms`
        : `exit ${hello.exitCode}: ${firstLine(hello.stderr || hello.stdout)}`,
      performance.now() - started,
    );

    // Step 5: files.
    started = performance.now();
    try {
      await session.writeFile('input.txt', 'roma');
      const run = await session.run(programs.files, { language, timeoutMs: stepTimeoutMs });
      const out = await session.readTextFile('results/out.txt');
      const ok = run.exitCode === 0 && out === 'ROMA' && run.filesCreated.includes('results/out.txt');
      record(
        'files',
        ok ? 'pass' : 'fail',
        ok
          ? 'upload, program read/write, download and filesCreated work'
          : `got "${out}", exit ${run.exitCode}`,
        performance.now() - started,
      );
    } catch (error) {
      record('files', 'fail', describe(error), performance.now() - started);
    }

    // Step 6: host functions (tool bridge), where the provider has them.
    if (sandbox.capabilities.hostFunctions) {
      started = performance.now();
      const run = await session.run(programs.host, { language, timeoutMs: stepTimeoutMs });
      const ok = run.exitCode === 0 && run.stdout.trim() === '5';
      record(
        'host functions',
        ok ? 'pass' : 'fail',
        ok
          ? 'guest code called a host function'
          : `exit ${run.exitCode}: ${firstLine(run.stderr || run.stdout)}`,
        performance.now() - started,
      );
    }

    // Step 7: isolation — the host's environment must not be visible.
    if (provider !== 'daytona') {
      started = performance.now();
      const run = await session.run(programs.isolation, { language, timeoutMs: stepTimeoutMs });
      const ok = run.stdout.trim() === 'absent';
      record(
        'isolation',
        ok ? 'pass' : 'fail',
        ok ? 'host environment variables are not visible' : 'a host environment variable was visible inside',
        performance.now() - started,
      );
    }
  } catch (error) {
    record('run', 'fail', describe(error), performance.now() - started, fixOf(error));
  } finally {
    if (previousSecret === undefined) delete process.env[SECRET_NAME];
    else process.env[SECRET_NAME] = previousSecret;
    // Step 8: delete.
    started = performance.now();
    try {
      await session?.close();
      await sandbox.close();
      if (session)
        record('delete', 'pass', 'session closed and resources freed', performance.now() - started);
    } catch (error) {
      record('delete', 'fail', describe(error), performance.now() - started);
    }
  }
}

function runtimeDetail(provider: SandboxProviderName): string {
  switch (provider) {
    case 'isolate':
      return 'quickjs-emscripten loaded';
    case 'process':
      return 'bubblewrap sandbox ready (no network, read-only root, uid 65534)';
    case 'daytona':
      return '@daytonaio/sdk configured';
  }
}

function maskKey(key: string): string {
  return key.length <= 10 ? '***' : `${key.slice(0, 10)}...`;
}

function describe(error: unknown): string {
  if (isRomaError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function fixOf(error: unknown): string | undefined {
  return isRomaError(error) ? error.fix : undefined;
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 160);
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
