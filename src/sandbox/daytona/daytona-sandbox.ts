// The daytona provider: cloud sandboxes through @daytonaio/sdk, created with auto-stop and auto-delete
// always set, deleted on close; only calls that are safe to repeat are retried (never code execution).
import { randomUUID } from 'node:crypto';
import type {
  CreateSandboxFromImageParams,
  CreateSandboxFromSnapshotParams,
  Daytona,
  Sandbox as DaytonaRemoteSandbox,
} from '@daytonaio/sdk';
import { type CodeLanguage, RomaError } from '../../contracts/index.js';
import { assertProgramSize, type ResolvedDefaults, resolveDefaults, resolveRunLimits } from '../limits.js';
import { truncateOutput } from '../output.js';
import type {
  Sandbox,
  SandboxCapabilities,
  SandboxDefaults,
  SandboxFileInfo,
  SandboxRunOptions,
  SandboxRunResult,
  SandboxSession,
  SandboxSessionOptions,
} from '../sandbox.js';
import { SerialQueue } from '../serial-queue.js';
import { normalizeWorkspaceDirectory, normalizeWorkspacePath } from '../workspace-path.js';
import { errorStatus, isRetryable, NOT_ACTED_ON_STATUS, withRetries } from './retry.js';

export const DAYTONA_CAPABILITIES: SandboxCapabilities = Object.freeze({
  languages: Object.freeze(['python', 'typescript', 'javascript'] as const),
  stateful: false,
  hostFunctions: false,
});

interface DaytonaSandboxOptions {
  apiKey: string;
  /** Defaults to the SDK's https://app.daytona.io/api; tests point it at a loopback server. */
  apiUrl?: string;
  target?: string;
  /** Create from this snapshot (takes precedence over `image`). */
  snapshot?: string;
  /** Create from this container image, e.g. `python:3.12-slim`. */
  image?: string;
  /** Minutes of inactivity before the sandbox stops (always sent; default 15). */
  autoStopIntervalMinutes?: number;
  /** Minutes after stopping before it is deleted (always sent; default 30), in case close() never ran. */
  autoDeleteIntervalMinutes?: number;
  /** Language the sandbox is created for (its `codeRun` language); default python. */
  language?: CodeLanguage;
  defaults?: Partial<SandboxDefaults>;
  /** Bound of creating a sandbox (default 120 s). */
  createTimeoutMs?: number;
}

export function createDaytonaSandbox(options: DaytonaSandboxOptions): Sandbox {
  if (!options.apiKey) {
    throw new RomaError('SANDBOX_UNAVAILABLE', 'the daytona sandbox needs an API key', {
      field: 'sandbox.daytonaApiKey',
      fix: 'set DAYTONA_API_KEY (https://app.daytona.io → API keys), or use --provider isolate',
    });
  }
  return new DaytonaSandbox(options);
}

class DaytonaSandbox implements Sandbox {
  readonly provider = 'daytona' as const;
  readonly capabilities = DAYTONA_CAPABILITIES;
  private client: Promise<Daytona> | undefined;
  private readonly defaults: ResolvedDefaults;
  private readonly sessions = new Set<DaytonaSession>();

  constructor(private readonly options: DaytonaSandboxOptions) {
    this.defaults = resolveDefaults(options.defaults);
  }

  /** The SDK loads on first use: it is large, and isolate/process users never need it. */
  private daytona(): Promise<Daytona> {
    this.client ??= import('@daytonaio/sdk').then(
      ({ Daytona }) =>
        new Daytona({
          apiKey: this.options.apiKey,
          ...(this.options.apiUrl ? { apiUrl: this.options.apiUrl } : {}),
          ...(this.options.target ? { target: this.options.target } : {}),
          otelEnabled: false,
          // State is read by polling the REST API, so no extra WebSocket connection is opened.
          useDeprecatedPolling: true,
          requestTimeoutMs: 120_000,
        }),
    );
    return this.client;
  }

  async openSession(options: SandboxSessionOptions = {}): Promise<SandboxSession> {
    if (options.hostFunctions && Object.keys(options.hostFunctions).length > 0) {
      throw new RomaError('SANDBOX_UNAVAILABLE', 'the daytona sandbox cannot call host functions', {
        field: 'hostFunctions',
        fix: 'use the isolate or process provider for programs that call tools',
      });
    }
    const daytona = await this.daytona();
    const language = this.options.language ?? 'python';
    const timeoutSeconds = Math.ceil((options.timeoutMs ?? this.options.createTimeoutMs ?? 120_000) / 1000);
    const base = {
      language,
      // A name of our own: after a failure we can ask whether the service made the sandbox anyway.
      name: `roma-${randomUUID()}`,
      autoStopInterval: this.options.autoStopIntervalMinutes ?? 15,
      autoDeleteInterval: this.options.autoDeleteIntervalMinutes ?? 30,
      labels: { 'created-by': 'roma-ptc' },
    };
    let remote: DaytonaRemoteSandbox;
    try {
      const params =
        this.options.image && !this.options.snapshot
          ? { ...base, image: this.options.image }
          : this.options.snapshot
            ? { ...base, snapshot: this.options.snapshot }
            : base;
      remote = await createStarted(daytona, params, timeoutSeconds * 1000);
    } catch (error) {
      // No `cause`: the SDK's error carries the server's answer, which a proxy may have filled with the key.
      throw new RomaError(
        'SANDBOX_UNAVAILABLE',
        `daytona: creating a sandbox failed: ${describe(error, this.options.apiKey)}`,
        {
          retryable: true,
          fix: 'check DAYTONA_API_KEY, quota and credits at https://app.daytona.io',
        },
      );
    }
    const session = new DaytonaSession(
      remote,
      language,
      this.defaults,
      () => this.sessions.delete(session),
      this.options.apiKey,
    );
    this.sessions.add(session);
    try {
      for (const [path, content] of Object.entries(options.files ?? {}))
        await session.writeFile(path, content);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.close()));
    const client = this.client;
    this.client = undefined;
    if (client) {
      const daytona = await client.catch(() => undefined);
      await daytona?.[Symbol.asyncDispose]?.();
    }
  }
}

const PROGRAM_FILE = {
  python: '.roma/program.py',
  javascript: '.roma/program.js',
  typescript: '.roma/program.ts',
};
const RUN_COMMAND = { python: 'python3', javascript: 'node', typescript: 'npx --yes tsx' };

class DaytonaSession implements SandboxSession {
  readonly id = randomUUID();
  readonly provider = 'daytona' as const;
  readonly capabilities = DAYTONA_CAPABILITIES;
  private readonly queue = new SerialQueue();
  private closed = false;

  constructor(
    private readonly remote: DaytonaRemoteSandbox,
    private readonly language: CodeLanguage,
    private readonly defaults: ResolvedDefaults,
    private readonly onClose: () => void,
    private readonly apiKey: string,
  ) {}

  run(code: string, options: SandboxRunOptions = {}): Promise<SandboxRunResult> {
    return this.queue.push(() => this.runNow(code, options));
  }

  private async runNow(code: string, options: SandboxRunOptions): Promise<SandboxRunResult> {
    this.assertOpen();
    const limits = resolveRunLimits(
      this.defaults,
      { language: this.language, ...options },
      DAYTONA_CAPABILITIES.languages,
    );
    // Same bound as the local providers', before the program is uploaded.
    assertProgramSize(code);
    const started = performance.now();
    const before = await this.fileStamps();
    const timeoutSeconds = Math.max(1, Math.ceil(limits.timeoutMs / 1000));
    let stoppedBy: SandboxRunResult['stoppedBy'] = null;
    let exitCode = 0;
    let output = '';
    let stderr = '';
    try {
      // Retried only when the service said it did not run it (429): running a program twice is not the
      // same as running it once.
      const execution =
        limits.language === this.language
          ? withRetries(() => this.remote.process.codeRun(code, undefined, timeoutSeconds), RUN_RETRIES)
          : this.uploadAndExecute(code, limits.language, timeoutSeconds);
      const response = await raceLimits(execution, limits.timeoutMs + 5_000, options.signal);
      if (response === 'timeout' || response === 'cancelled') {
        stoppedBy = response;
        exitCode = 124;
        stderr =
          response === 'timeout'
            ? `Error: stopped after the time limit of ${limits.timeoutMs} ms\n`
            : 'Error: cancelled\n';
      } else {
        exitCode = response.exitCode;
        output = response.result;
        // The server ends a program at `timeout` seconds and answers with a failure; it names no reason.
        if (exitCode !== 0 && performance.now() - started >= limits.timeoutMs) {
          stoppedBy = 'timeout';
          exitCode = 124;
          stderr = `Error: stopped after the time limit of ${limits.timeoutMs} ms\n`;
        }
      }
    } catch (error) {
      const timedOut = /timeout|timed out/i.test(describe(error, this.apiKey));
      stoppedBy = timedOut ? 'timeout' : 'crash';
      exitCode = 124;
      stderr = `Error: daytona: ${describe(error, this.apiKey)}\n`;
    }
    const stdout = truncateOutput(output, limits.maxOutputChars);
    const after = stoppedBy ? before : await this.fileStamps();
    return {
      // Daytona returns stdout and stderr as one stream.
      stdout: stdout.text,
      stderr,
      exitCode,
      durationMs: performance.now() - started,
      truncated: stdout.truncated,
      filesCreated: [...after]
        .filter(([path, stamp]) => before.get(path) !== stamp && !path.startsWith('.roma/'))
        .map(([path]) => path)
        .sort(),
      stoppedBy,
    };
  }

  private async uploadAndExecute(code: string, language: CodeLanguage, timeoutSeconds: number) {
    const file = PROGRAM_FILE[language];
    await withRetries(() => this.remote.fs.uploadFile(Buffer.from(code), file, 60));
    return withRetries(
      () =>
        this.remote.process.executeCommand(
          `${RUN_COMMAND[language]} ${file}`,
          undefined,
          undefined,
          timeoutSeconds,
        ),
      RUN_RETRIES,
    );
  }

  /** path → "size:mtime" of every file under the working directory, to tell which files a run wrote. */
  private async fileStamps(): Promise<Map<string, string>> {
    const stamps = new Map<string, string>();
    try {
      const listing = await withRetries(() =>
        this.remote.process.executeCommand(
          `find . -type f -printf '%P\\t%s\\t%T@\\n' 2>/dev/null | head -n 20000`,
          undefined,
          undefined,
          30,
        ),
      );
      for (const line of listing.result.split('\n')) {
        const [path, size, mtime] = line.split('\t');
        if (path && size !== undefined) stamps.set(path, `${size}:${mtime}`);
      }
    } catch {
      // Listing is best effort: filesCreated stays empty.
    }
    return stamps;
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    this.assertOpen();
    const normal = normalizeWorkspacePath(path);
    await withRetries(() => this.remote.fs.uploadFile(Buffer.from(content), normal, 300));
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertOpen();
    const normal = normalizeWorkspacePath(path);
    try {
      const data = await withRetries(() => this.remote.fs.downloadFile(normal, 300));
      return new Uint8Array(data);
    } catch (error) {
      throw new RomaError(
        'NOT_FOUND',
        `no file "${normal}" in the sandbox workspace (${describe(error, this.apiKey)})`,
        { field: 'path' },
      );
    }
  }

  async readTextFile(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path));
  }

  async listFiles(directory?: string): Promise<SandboxFileInfo[]> {
    this.assertOpen();
    const prefix = normalizeWorkspaceDirectory(directory);
    const stamps = await this.fileStamps();
    return [...stamps]
      .filter(([path]) => path.startsWith(prefix) && !path.startsWith('.roma/'))
      .map(([path, stamp]) => ({ path, sizeBytes: Number(stamp.split(':')[0]) || 0 }))
      .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    try {
      await withRetries(() => this.remote.delete(60));
    } catch {
      // autoStopInterval + autoDeleteInterval remove it later even if this delete failed.
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RomaError('SANDBOX_FAILED', 'the sandbox session is closed');
  }
}

/** Code execution: another try only when the service refused the request unread. */
const RUN_RETRIES = { statuses: NOT_ACTED_ON_STATUS, retryWithoutAnswer: false } as const;
const MAX_CREATE_ATTEMPTS = 4;
const STATE_POLL_MS = { first: 100, most: 1_000 } as const;

type CreateParams = (CreateSandboxFromSnapshotParams | CreateSandboxFromImageParams) & { name: string };

/**
 * Creates a sandbox and waits until it is started, within `timeoutMs`. The SDK gives up on the first
 * failed state read while a sandbox starts, and a 429 may refuse the create itself: after any failure the
 * sandbox is looked up by its unique name — found, it is waited for here (state reads retried); not found
 * and the failure was transient, creation is tried again. So a retry never leaves a second sandbox behind.
 */
async function createStarted(
  daytona: Daytona,
  params: CreateParams,
  timeoutMs: number,
): Promise<DaytonaRemoteSandbox> {
  const deadline = Date.now() + timeoutMs;
  const secondsLeft = () => Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
  let lastError: unknown;
  for (let attempt = 1; attempt <= MAX_CREATE_ATTEMPTS && Date.now() < deadline; attempt++) {
    try {
      // The SDK's overloads take one kind each; `image` tells them apart.
      return 'image' in params
        ? await daytona.create(params, { timeout: secondsLeft() })
        : await daytona.create(params, { timeout: secondsLeft() });
    } catch (error) {
      lastError = error;
    }
    const existing = await findByName(daytona, params.name);
    if (existing) {
      try {
        await waitUntilStarted(existing, deadline);
        return existing;
      } catch (error) {
        await withRetries(() => existing.delete(60)).catch(() => {});
        throw error;
      }
    }
    if (!isRetryable(lastError)) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 250 * 2 ** (attempt - 1))));
  }
  throw lastError ?? new Error(`no started sandbox within ${timeoutMs} ms`);
}

async function findByName(daytona: Daytona, name: string): Promise<DaytonaRemoteSandbox | undefined> {
  try {
    return await withRetries(() => daytona.get(name));
  } catch (error) {
    if (errorStatus(error) === 404) return undefined;
    throw error;
  }
}

/** Polls the sandbox's state (each read retried on transient errors) until started, an error, or the deadline. */
async function waitUntilStarted(remote: DaytonaRemoteSandbox, deadline: number): Promise<void> {
  let pauseMs: number = STATE_POLL_MS.first;
  for (;;) {
    if (remote.state === 'started') return;
    if (remote.state === 'error' || remote.state === 'build_failed') {
      throw new Error(
        `the sandbox failed to start (${remote.state}: ${remote.errorReason ?? 'no reason given'})`,
      );
    }
    if (Date.now() + pauseMs > deadline) throw new Error('the sandbox did not start in time');
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(STATE_POLL_MS.most, pauseMs * 2);
    await withRetries(() => remote.refreshData());
  }
}

async function raceLimits<T>(
  work: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<T | 'timeout' | 'cancelled'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<'timeout' | 'cancelled'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        onAbort = () => resolve('cancelled');
        if (signal?.aborted) onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    work.catch(() => {});
  }
}

/** The error's message without the API key (a proxy or server may quote the request's Authorization header). */
function describe(error: unknown, apiKey: string): string {
  const text = describeUnredacted(error);
  return apiKey.length >= 4 ? text.split(apiKey).join('***') : text;
}

function describeUnredacted(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { statusCode?: unknown }).statusCode;
  // The SDK sometimes wraps an error body object as the message.
  if (error.message === '[object Object]' || error.message === '') {
    return typeof status === 'number' ? `HTTP ${status}` : error.name;
  }
  return error.message;
}
