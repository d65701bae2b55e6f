// A loopback stand-in for the Daytona API and toolbox: the endpoints @daytonaio/sdk 0.218 calls for create,
// state polling, code-run, execute, bulk upload/download and delete, with shapes from @daytona/api-client
// and @daytona/toolbox-api-client, and the service's manners: a new sandbox goes creating → starting →
// started, code runs are stateless and in the sandbox's language, answers take a little while, and the first
// request of each kind gets a transient 429/503. Programs run in the local bubblewrap sandbox. Tests only.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { transform } from 'sucrase';
import { z } from 'zod';
import { parseJsonWith } from '../../../contracts/index.js';
import type { Sandbox, SandboxSession } from '../../sandbox.js';

export interface RecordedDaytonaRequest {
  method: string;
  path: string;
  body: unknown;
}

interface DaytonaLoopbackOptions {
  /**
   * Answer the first request of each kind (per sandbox: create, state poll, code run, execute, upload,
   * download, delete) with a transient error — 429 where the request was not acted on, 503 elsewhere — as a
   * busy service does. Default true.
   */
  transientErrors?: boolean;
  /** State polls a new sandbox spends in `creating`, then as many in `starting`, before `started` (default 2). */
  startupPolls?: number;
  /** Most milliseconds of latency added to each answer (default 15). */
  maxLatencyMs?: number;
  /** Sandboxes end their startup in `error` with this reason instead of `started`. */
  startupError?: string;
  /** Every code run is refused with 429 (a service that stays busy). */
  alwaysBusy?: boolean;
}

export interface DaytonaLoopbackServer {
  /** Pass as `apiUrl` to the SDK. */
  apiUrl: string;
  requests: RecordedDaytonaRequest[];
  /** Every transient error the server answered with (status, method, path). */
  faults: Array<{ status: number; method: string; path: string }>;
  /** Sandboxes created and not yet deleted. */
  liveSandboxIds(): string[];
  close(): Promise<void>;
}

const CreateSandboxSchema = z
  .object({
    name: z.string().optional(),
    snapshot: z.string().optional(),
    buildInfo: z.object({ dockerfileContent: z.string() }).loose().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    autoStopInterval: z.number().int().optional(),
    autoDeleteInterval: z.number().int().optional(),
  })
  .loose();
const CodeRunSchema = z
  .object({ code: z.string(), language: z.string().optional(), timeout: z.number().optional() })
  .loose();
const ExecuteSchema = z
  .object({ command: z.string(), timeout: z.number().optional(), cwd: z.string().optional() })
  .loose();
const DownloadSchema = z.object({ paths: z.array(z.string()) }).loose();

/** Largest request body accepted, so a test cannot exhaust memory by accident. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface FakeSandbox {
  id: string;
  name: string;
  dto: Record<string, unknown>;
  session: SandboxSession;
  language: 'python' | 'javascript' | 'typescript';
  statePolls: number;
}

const LANGUAGE_LABEL = 'code-toolbox-language';

/** The sandbox's state after `polls` state reads: creating, then starting, then started. */
function startupState(polls: number, startupPolls: number): string {
  if (polls < startupPolls) return 'creating';
  if (polls < 2 * startupPolls) return 'starting';
  return 'started';
}

/**
 * The code of a run travels as this workspace file, moved out before the program runs: inlined in the
 * wrapper below, a program near MAX_PROGRAM_BYTES would push the wrapper past that bound of the backend.
 */
const CODE_RUN_SOURCE = '.loopback-code-run-source';

/** The code run's source, as the backend's interpreter runs it. */
function codeRunSource(code: string, language: FakeSandbox['language']): string {
  return language === 'typescript' ? transform(code, { transforms: ['typescript', 'imports'] }).code : code;
}

/**
 * A Python program (run by the backend's interpreter) that runs CODE_RUN_SOURCE in a fresh process of
 * `language`, so nothing of one code run is left for the next, as on Daytona.
 */
function statelessProgram(language: FakeSandbox['language'], timeoutSeconds: number): string {
  const extension = language === 'python' ? 'py' : 'js';
  return [
    'import shutil, subprocess, sys',
    `path = "/tmp/code-run.${extension}"`,
    `shutil.move(${JSON.stringify(CODE_RUN_SOURCE)}, path)`,
    `argv = [sys.executable, path] if ${JSON.stringify(language)} == "python" else [shutil.which("node") or "/usr/bin/node", path]`,
    // Output streams straight through (stdout and stderr merged, as Daytona does), never held in memory.
    'sys.stdout.flush()',
    'try:',
    `    r = subprocess.run(argv, stdout=1, stderr=subprocess.STDOUT, timeout=${timeoutSeconds}, cwd="/workspace")`,
    '    sys.exit(r.returncode)',
    'except subprocess.TimeoutExpired:',
    '    sys.exit(-1)',
  ].join('\n');
}

/** Starts the server on 127.0.0.1; `backend` (a process sandbox) runs the programs. */
export async function startDaytonaLoopbackServer(
  backend: Sandbox,
  options: DaytonaLoopbackOptions = {},
): Promise<DaytonaLoopbackServer> {
  const transientErrors = options.transientErrors ?? true;
  const startupPolls = options.startupPolls ?? 2;
  const maxLatencyMs = options.maxLatencyMs ?? 15;
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: RecordedDaytonaRequest[] = [];
  const faults: DaytonaLoopbackServer['faults'] = [];
  const failedOnce = new Set<string>();
  let base = '';

  /** Answers the first request of `kind` with `status`; true when it did (the caller stops there). */
  function transientFault(
    response: ServerResponse,
    request: IncomingMessage,
    kind: string,
    status: number,
  ): boolean {
    if (!transientErrors || failedOnce.has(kind)) return false;
    failedOnce.add(kind);
    faults.push({ status, method: request.method ?? 'GET', path: request.url ?? '' });
    if (status === 429) response.setHeader('retry-after', '0');
    send(response, status, {
      message: status === 429 ? 'too many requests, slow down' : 'service temporarily unavailable',
      statusCode: status,
    });
    return true;
  }

  function findSandbox(idOrName: string | undefined): FakeSandbox | undefined {
    if (!idOrName) return undefined;
    return sandboxes.get(idOrName) ?? [...sandboxes.values()].find((each) => each.name === idOrName);
  }

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      send(response, 500, {
        message: error instanceof Error ? error.message : String(error),
        statusCode: 500,
      });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', base);
    const body = await readBody(request);
    const contentType = request.headers['content-type'] ?? '';
    const json =
      contentType.includes('application/json') && body.length > 0 ? parseJsonText(body) : undefined;
    requests.push({ method: request.method ?? 'GET', path: url.pathname, body: json });
    await new Promise((resolve) => setTimeout(resolve, Math.random() * maxLatencyMs));
    if (request.headers.authorization !== 'Bearer test-key' && url.pathname.startsWith('/api/')) {
      send(response, 401, { message: 'unauthorized', statusCode: 401 });
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    // /api/sandbox, /api/sandbox/:id, /api/sandbox/:id/toolbox-proxy-url
    if (parts[0] === 'api' && parts[1] === 'sandbox') {
      const id = parts[2];
      if (!id && request.method === 'POST') {
        const parsed = CreateSandboxSchema.safeParse(json ?? {});
        if (!parsed.success) {
          send(response, 400, { message: 'invalid create body', statusCode: 400 });
          return;
        }
        // Rate limited before anything was made: the client may try again.
        const createKey = `create:${parsed.data.name ?? JSON.stringify(parsed.data.labels ?? {})}`;
        if (transientFault(response, request, createKey, 429)) return;
        const name = parsed.data.name ?? randomUUID();
        if (findSandbox(name)) {
          send(response, 409, { message: `a sandbox named ${name} exists`, statusCode: 409 });
          return;
        }
        const language = z
          .enum(['python', 'javascript', 'typescript'])
          .catch('python')
          .parse(parsed.data.labels?.[LANGUAGE_LABEL] ?? 'python');
        const sandboxId = randomUUID();
        const session = await backend.openSession();
        const dto = {
          id: sandboxId,
          organizationId: 'org-loopback',
          name,
          user: 'daytona',
          env: {},
          labels: parsed.data.labels ?? {},
          public: false,
          networkBlockAll: false,
          target: 'us',
          cpu: 1,
          gpu: 0,
          memory: 1,
          disk: 3,
          state: startupState(0, startupPolls),
          snapshot: parsed.data.snapshot,
          autoStopInterval: parsed.data.autoStopInterval,
          autoDeleteInterval: parsed.data.autoDeleteInterval,
          toolboxProxyUrl: `${base}/toolbox`,
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        };
        sandboxes.set(sandboxId, { id: sandboxId, name, dto, session, language, statePolls: 0 });
        send(response, 200, dto);
        return;
      }
      const sandbox = findSandbox(id);
      if (!sandbox) {
        send(response, 404, { message: `sandbox ${id} not found`, statusCode: 404 });
        return;
      }
      if (parts[3] === 'toolbox-proxy-url') {
        send(response, 200, { url: `${base}/toolbox` });
      } else if (request.method === 'DELETE') {
        if (transientFault(response, request, `delete:${sandbox.id}`, 503)) return;
        sandboxes.delete(sandbox.id);
        await sandbox.session.close();
        send(response, 200, { ...sandbox.dto, state: 'destroying' });
      } else {
        // A busy service fails a state read now and then, most likely while the sandbox is starting.
        if (transientFault(response, request, `state:${sandbox.id}`, 503)) return;
        sandbox.statePolls++;
        sandbox.dto.state = startupState(sandbox.statePolls, startupPolls);
        if (options.startupError && sandbox.dto.state === 'started') {
          sandbox.dto.state = 'error';
          sandbox.dto.errorReason = options.startupError;
        }
        send(response, 200, sandbox.dto);
      }
      return;
    }
    // /toolbox/:id/process/code-run, /process/execute, /files/bulk-upload, /files/bulk-download
    if (parts[0] === 'toolbox') {
      const sandbox = sandboxes.get(parts[1] ?? '');
      if (!sandbox) {
        send(response, 404, { message: 'sandbox not found', statusCode: 404 });
        return;
      }
      if (sandbox.dto.state !== 'started') {
        send(response, 409, {
          message: `sandbox is ${String(sandbox.dto.state)}, not started`,
          statusCode: 409,
        });
        return;
      }
      const route = parts.slice(2).join('/');
      // Code execution is refused with 429 (never run), everything else may fail with 503 (safe to repeat).
      const faultStatus = route.startsWith('process/') ? 429 : 503;
      if (transientFault(response, request, `${route}:${sandbox.id}`, faultStatus)) return;
      if (options.alwaysBusy && route === 'process/code-run') {
        faults.push({ status: 429, method: request.method ?? 'POST', path: request.url ?? '' });
        send(response, 429, { message: 'too many requests, slow down', statusCode: 429 });
        return;
      }
      if (route === 'process/code-run') {
        const parsed = CodeRunSchema.parse(json);
        const language = z
          .enum(['python', 'javascript', 'typescript'])
          .catch(sandbox.language)
          .parse(parsed.language ?? sandbox.language);
        const timeoutSeconds = parsed.timeout ?? 60;
        await sandbox.session.writeFile(CODE_RUN_SOURCE, codeRunSource(parsed.code, language));
        const result = await sandbox.session.run(statelessProgram(language, timeoutSeconds), {
          language: 'python',
          timeoutMs: (timeoutSeconds + 5) * 1000,
          maxOutputChars: 10_000_000,
        });
        send(response, 200, { exitCode: result.exitCode, result: result.stdout + result.stderr });
      } else if (route === 'process/execute') {
        const parsed = ExecuteSchema.parse(json);
        const program = [
          'import subprocess, sys',
          `r = subprocess.run(${JSON.stringify(parsed.command)}, shell=True, capture_output=True, text=True)`,
          'sys.stdout.write(r.stdout + r.stderr)',
          'sys.exit(r.returncode)',
        ].join('\n');
        const result = await sandbox.session.run(program, {
          language: 'python',
          timeoutMs: (parsed.timeout ?? 60) * 1000,
          maxOutputChars: 10_000_000,
        });
        send(response, 200, { exitCode: result.exitCode, result: result.stdout + result.stderr });
      } else if (route === 'files/bulk-upload') {
        const files = parseMultipart(body, contentType);
        for (let index = 0; files.has(`files[${index}].path`); index++) {
          const path = files.get(`files[${index}].path`)!.toString('utf8');
          const content = files.get(`files[${index}].file`) ?? Buffer.alloc(0);
          await sandbox.session.writeFile(path, content);
        }
        send(response, 200, {});
      } else if (route === 'files/bulk-download') {
        const parsed = DownloadSchema.parse(json);
        const boundary = `loopback${randomUUID().replace(/-/g, '')}`;
        const chunks: Buffer[] = [];
        for (const path of parsed.paths) {
          let content: Uint8Array;
          try {
            content = await sandbox.session.readFile(path);
          } catch {
            send(response, 404, { message: `file not found: ${path}`, statusCode: 404 });
            return;
          }
          chunks.push(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path}"\r\n` +
                'Content-Type: application/octet-stream\r\n\r\n',
            ),
            Buffer.from(content),
            Buffer.from('\r\n'),
          );
        }
        chunks.push(Buffer.from(`--${boundary}--\r\n`));
        response.writeHead(200, { 'content-type': `multipart/form-data; boundary=${boundary}` });
        response.end(Buffer.concat(chunks));
      } else {
        send(response, 404, { message: `no route ${route}`, statusCode: 404 });
      }
      return;
    }
    send(response, 404, { message: `no route ${url.pathname}`, statusCode: 404 });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api`,
    requests,
    faults,
    liveSandboxIds: () => [...sandboxes.keys()],
    async close() {
      for (const sandbox of sandboxes.values()) await sandbox.session.close();
      sandboxes.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJsonText(body: Buffer): unknown {
  const parsed = parseJsonWith(z.unknown(), body.toString('utf8'), 'request body');
  return parsed.ok ? parsed.value : undefined;
}

/** Minimal multipart/form-data reader: field name → raw content. */
function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const fields = new Map<string, Buffer>();
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return fields;
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position >= 0) {
    const start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) fields.set(name, Buffer.from(part.subarray(headerEnd + 4)));
    }
    position = next;
  }
  return fields;
}
