// Runs the real `roma` entry point in a child process for CLI tests, with a controlled env and a bound.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { waitFor } from '../../engine/testing/wait.js';
import type { ExecutionStore } from '../../store/index.js';
import { openExecutionStore } from '../../store/index.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
// Absolute, since the child runs in a temp dir where bare `tsx` does not resolve.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RomaOptions {
  cwd: string;
  /** Added to PATH, HOME and NO_COLOR=1: the machine's own vars do not leak in. */
  env?: Record<string, string>;
  /** The child is killed after this long (default 60 s); the test then fails on its output. */
  timeoutMs?: number;
}

/** A running `roma <args>`: its process, its output so far, and its end. */
export interface SpawnedRoma {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  finished: Promise<CliRun>;
}

/** `env` over PATH, HOME and NO_COLOR=1: the machine's own vars do not leak into a roma child. */
export function romaEnv(env: Record<string, string> | undefined): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env };
}

/** The `node` arguments that run the `roma` entry point from source with `args`. */
export function romaNodeArguments(args: string[]): string[] {
  return ['--import', TSX_LOADER, MAIN, ...args];
}

/** The env that points a roma child at a scripted model server, with no retries (a failure shows at once). */
export function scriptedModelEnv(server: { openaiBaseUrl: string }): Record<string, string> {
  return {
    ROMA_MODEL: 'openai:scripted',
    OPENAI_BASE_URL: server.openaiBaseUrl,
    OPENAI_API_KEY: 'test-key',
    ROMA_LLM_MAX_RETRIES: '0',
  };
}

/** `roma <args>` in `cwd`, blocking until it ends. */
export function runRoma(args: string[], options: RomaOptions): Omit<CliRun, 'signal'> {
  const result = spawnSync(process.execPath, romaNodeArguments(args), {
    cwd: options.cwd,
    env: romaEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `roma <args>` without blocking this process's event loop (tests that serve the child from here). */
export function spawnRoma(args: string[], options: RomaOptions): SpawnedRoma {
  const child = spawn(process.execPath, romaNodeArguments(args), {
    cwd: options.cwd,
    env: romaEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<CliRun>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
  return { child, output: () => ({ stdout, stderr }), finished };
}

export function runRomaAsync(args: string[], options: RomaOptions): Promise<CliRun> {
  return spawnRoma(args, options).finished;
}

/** The store a `roma` child writes to, opened once the child has created it. */
export function waitForStore(
  settings: Parameters<typeof openExecutionStore>[0],
  timeoutMs?: number,
): Promise<ExecutionStore> {
  return waitFor(
    async () => {
      try {
        return await openExecutionStore(settings);
      } catch {
        return undefined;
      }
    },
    'the store',
    timeoutMs,
  );
}

/** The id of the first run `store` lists, once a `roma` child has started it. */
export function waitForFirstRun(store: ExecutionStore, timeoutMs?: number): Promise<string> {
  return waitFor(
    async () => (await store.listExecutions({ limit: 1 }))[0]?.id,
    'the run to start',
    timeoutMs,
  );
}

/** A TCP port on 127.0.0.1 that nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
