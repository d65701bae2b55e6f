// For the MCP server tests: roma's MCP server over stdio (`roma mcp serve --demo` in a child process) or streamable
// HTTP (an API server's `/mcp`), and the MCP SDK's clients of it, all closed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { romaEnv, romaNodeArguments } from '../cli/commands/cli-test-support.js';
import { defaultConfig } from '../config/index.js';
import { openTestApiRuntime, type TestApiRuntime } from '../server/api-test-support.js';
import { parseApiKeys, startApiServer } from '../server/index.js';
import { openExecutionStore } from '../store/index.js';
import { createMcpHttpHandler, type McpHttpHandler } from './index.js';

/**
 * The runtime the HTTP tests serve `/mcp` from: the demo model at 150 ms a reply, in a temp dir of its own;
 * `close` lets its runs end first and removes the dir.
 */
export async function openMcpTestRuntime(): Promise<TestApiRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roma-mcp-http-'));
  const test = await openTestApiRuntime({ dataDir, latencyMs: 150 });
  return {
    ...test,
    close: async () => {
      await test.idle();
      await test.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The MCP servers and clients one test file opens; `closeAll` after each test. */
export class McpTestClients {
  readonly #clients: Client[] = [];
  readonly #closers: Array<() => Promise<void>> = [];

  /** `roma mcp serve --demo` in a child over stdio, its SQLite store in `dataDir`, each model call `latencyMs`. */
  async stdio(dataDir: string, latencyMs: number): Promise<Client> {
    return (await this.stdioServer(dataDir, latencyMs)).client;
  }

  /** As `stdio`, with the server's pid (to kill it as a crash would). */
  async stdioServer(dataDir: string, latencyMs: number): Promise<{ client: Client; pid: number }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: romaNodeArguments(['mcp', 'serve', '--demo', '--demo-latency-ms', String(latencyMs)]),
      cwd: dataDir,
      env: romaEnv({ ROMA_DATA_DIR: dataDir, ROMA_CACHE_ENABLED: 'false' }),
      stderr: 'pipe',
    });
    const client = await this.#connect(transport);
    if (transport.pid === null) throw new Error('the stdio server has no pid');
    return { client, pid: transport.pid };
  }

  /** `/mcp` of an API server on `test`'s runtime that accepts `keys` (a tenant each when more than one). */
  async serveHttp(test: TestApiRuntime, keys: string[]): Promise<{ url: string; handler: McpHttpHandler }> {
    const handler = createMcpHttpHandler(test.engine, {
      version: 'test',
      demo: true,
      tenants: keys.length > 1,
    });
    const server = await startApiServer({
      runtime: test.runtime,
      keys: parseApiKeys(keys.join(',')),
      host: '127.0.0.1',
      port: 0,
      mcp: handler,
      routes: 'mcp',
    });
    this.#closers.push(
      () => handler.close(),
      () => server.close(),
    );
    return { url: `${server.url}/mcp`, handler };
  }

  /** A client of the `/mcp` at `url`, presenting `key` as a bearer token when given. */
  async http(
    url: string,
    key?: string,
  ): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      ...(key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : {}),
    });
    return { client: await this.#connect(transport), transport };
  }

  /** Closes every client, then the servers, the last opened first. */
  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((client) => client.close().catch(() => undefined)));
    for (const close of this.#closers.splice(0).reverse()) await close();
  }

  async #connect(transport: StdioClientTransport | StreamableHTTPClientTransport): Promise<Client> {
    const client = new Client({ name: 'roma-test', version: '1.0.0' });
    await client.connect(transport);
    this.#clients.push(client);
    return client;
  }
}

/** A run as the `roma mcp serve` child stored it in `dataDir`. */
export async function storedRun(dataDir: string, executionId: string) {
  const store = await openExecutionStore({ ...defaultConfig().store, dataDir });
  try {
    return await store.getExecution(executionId);
  } finally {
    await store.close();
  }
}
