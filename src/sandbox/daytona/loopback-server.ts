// A loopback stand-in for the Daytona API and toolbox: the endpoints @daytonaio/sdk 0.218 calls for create,
// code-run, execute, bulk upload/download and delete, with shapes from @daytona/api-client and
// @daytona/toolbox-api-client. Programs run in the local bubblewrap sandbox. For tests and self-checks only.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { parseJsonWith } from '../../contracts/index.js';
import type { Sandbox, SandboxSession } from '../sandbox.js';

export interface RecordedDaytonaRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface DaytonaLoopbackServer {
  /** Pass as `apiUrl` to the SDK. */
  apiUrl: string;
  requests: RecordedDaytonaRequest[];
  /** Sandboxes created and not yet deleted. */
  liveSandboxIds(): string[];
  close(): Promise<void>;
}

const CreateSandboxSchema = z
  .object({
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
  dto: Record<string, unknown>;
  session: SandboxSession;
}

/** Starts the server on 127.0.0.1; `backend` (a process sandbox) runs the programs. */
export async function startDaytonaLoopbackServer(backend: Sandbox): Promise<DaytonaLoopbackServer> {
  const sandboxes = new Map<string, FakeSandbox>();
  const requests: RecordedDaytonaRequest[] = [];
  let base = '';

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
        const sandboxId = randomUUID();
        const session = await backend.openSession();
        const dto = {
          id: sandboxId,
          organizationId: 'org-loopback',
          name: sandboxId,
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
          state: 'started',
          snapshot: parsed.data.snapshot,
          autoStopInterval: parsed.data.autoStopInterval,
          autoDeleteInterval: parsed.data.autoDeleteInterval,
          toolboxProxyUrl: `${base}/toolbox`,
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        };
        sandboxes.set(sandboxId, { id: sandboxId, dto, session });
        send(response, 200, dto);
        return;
      }
      const sandbox = id ? sandboxes.get(id) : undefined;
      if (!sandbox) {
        send(response, 404, { message: `sandbox ${id} not found`, statusCode: 404 });
        return;
      }
      if (parts[3] === 'toolbox-proxy-url') {
        send(response, 200, { url: `${base}/toolbox` });
      } else if (request.method === 'DELETE') {
        sandboxes.delete(sandbox.id);
        await sandbox.session.close();
        send(response, 200, { ...sandbox.dto, state: 'destroyed' });
      } else {
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
      const route = parts.slice(2).join('/');
      if (route === 'process/code-run') {
        const parsed = CodeRunSchema.parse(json);
        const result = await sandbox.session.run(parsed.code, {
          language: 'python',
          timeoutMs: (parsed.timeout ?? 60) * 1000,
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
