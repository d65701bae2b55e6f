// Streamable HTTP for the MCP server: one session (server + transport) per client, bounded in number and idle
// time; the front end in front of it (`roma serve` at /mcp, `roma mcp serve --http`) admits the request first.
import { randomUUID } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Runtime } from '../runtime/index.js';
import { createRomaMcpServer, type RomaMcpServerOptions } from './roma-mcp-server.js';
import { createSolveTaskRegistry } from './task-registry.js';

interface McpHttpHandlerOptions extends RomaMcpServerOptions {
  /** Sessions open at once; an initialize past it is refused with 503 (default 100). */
  maxSessions?: number;
  /** A session with no request for this long is closed (default 30 min). */
  sessionIdleMs?: number;
  /** Bytes of a POST body (default 1 MiB). */
  maxRequestBodyBytes?: number;
}

export interface McpHttpHandler {
  /** Answers one HTTP request to the MCP endpoint; `identity` is who the front end admitted (tenancy). */
  handle(request: Request, identity: string): Promise<Response>;
  /** Open sessions now (for /metrics). */
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  identity: string;
  lastSeenAt: number;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

export function createMcpHttpHandler(runtime: Runtime, options: McpHttpHandlerOptions): McpHttpHandler {
  const maxSessions = options.maxSessions ?? 100;
  const sessionIdleMs = options.sessionIdleMs ?? 30 * 60_000;
  const sessions = new Map<string, Session>();
  // One registry for all sessions: a solve task stays readable after the session that made it has ended.
  const taskRegistry = options.taskRegistry ?? createSolveTaskRegistry();

  const closeSession = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
  };
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, session] of sessions)
        if (now - session.lastSeenAt > sessionIdleMs) void closeSession(id);
    },
    Math.min(sessionIdleMs, 60_000),
  );
  sweeper.unref();

  const authInfo = (identity: string): AuthInfo => ({ token: '', clientId: identity, scopes: [] });

  return {
    sessionCount: () => sessions.size,
    handle: async (request, identity) => {
      const sessionId = request.headers.get('mcp-session-id');
      if (sessionId) {
        const session = sessions.get(sessionId);
        // A session belongs to the key that opened it: another key gets "no such session", as for an unknown id.
        if (!session || session.identity !== identity) return jsonRpcError(404, -32001, 'Session not found');
        session.lastSeenAt = Date.now();
        return session.transport.handleRequest(request, { authInfo: authInfo(identity) });
      }
      if (request.method !== 'POST')
        return jsonRpcError(400, -32000, 'Bad Request: no session; initialize first');
      const maxBody = options.maxRequestBodyBytes ?? 1024 * 1024;
      const text = await request.text();
      if (Buffer.byteLength(text) > maxBody)
        return jsonRpcError(413, -32000, `request body over ${maxBody} bytes`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return jsonRpcError(400, -32700, 'Parse error: the body is not JSON');
      }
      const messages = Array.isArray(body) ? body : [body];
      if (!messages.some((message) => isInitializeRequest(message))) {
        return jsonRpcError(400, -32000, 'Bad Request: no session; initialize first');
      }
      if (sessions.size >= maxSessions) {
        return jsonRpcError(503, -32000, `too many MCP sessions (${maxSessions}); retry later`);
      }
      const server = createRomaMcpServer(runtime, { ...options, taskRegistry, caller: identity });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, { server, transport, identity, lastSeenAt: Date.now() });
        },
        onsessionclosed: (id) => {
          void closeSession(id);
        },
        maxRequestBodySize: maxBody,
      });
      await server.connect(transport);
      return transport.handleRequest(request, { authInfo: authInfo(identity), parsedBody: body });
    },
    close: async () => {
      clearInterval(sweeper);
      await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
    },
  };
}
