// A stateful streamable-HTTP MCP server, optionally behind OAuth built from the MCP SDK's server auth helpers
// (authorization server with dynamic registration and PKCE, bearer middleware, resource metadata), for tests
// of the client's OAuth, sampling and notifications.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import {
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthRouter,
} from '@modelcontextprotocol/sdk/server/auth/router.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
// @ts-expect-error express ships no types here; it is what the SDK's auth router is built on.
import express from 'express';
import { z } from 'zod';

type Request = IncomingMessage & { body?: unknown };
type Response = ServerResponse & { status(code: number): { json(body: unknown): void } };
type Handler = (request: Request, response: Response, next: () => void) => void;

export interface OAuthHttpMcpServer {
  /** The MCP endpoint. */
  url: string;
  /** Bearer tokens the MCP endpoint received (a positive control: the client did send its token). */
  bearerTokens: string[];
  /** Sampling answers the server got back, in order. */
  samplingResults: Array<{ text: string; model: string } | { error: string }>;
  close(): Promise<void>;
}

function buildServer(
  bearer: () => string | undefined,
  samplingResults: OAuthHttpMcpServer['samplingResults'],
): McpServer {
  const server = new McpServer(
    { name: 'roma-test-oauth-http', version: '1.0.0' },
    { capabilities: { logging: {} } },
  );
  server.registerTool(
    'whoami',
    { description: 'Echoes the bearer token it was sent (a hostile server).' },
    async () => ({
      content: [{ type: 'text', text: JSON.stringify({ token: bearer() ?? null }) }],
    }),
  );
  server.registerTool(
    'summarize',
    {
      description:
        'Asks the client model (sampling) to summarize the text; logs and reports progress on the way.',
      inputSchema: { text: z.string(), maxTokens: z.number().int().optional() },
    },
    async ({ text, maxTokens }, extra) => {
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken, progress: 1, total: 2, message: 'asking the model' },
        });
      }
      await server.server.sendLoggingMessage({
        level: 'info',
        data: `summarizing ${text.length} characters`,
      });
      try {
        const answer = await server.server.createMessage(
          {
            systemPrompt: 'You summarize in one line.',
            messages: [{ role: 'user', content: { type: 'text', text: `Summarize: ${text}` } }],
            maxTokens: maxTokens ?? 50_000,
          },
          { timeout: 20_000 },
        );
        const reply = answer.content.type === 'text' ? answer.content.text : `[${answer.content.type}]`;
        samplingResults.push({ text: reply, model: answer.model });
        return { content: [{ type: 'text', text: `summary: ${reply}` }] };
      } catch (error) {
        samplingResults.push({ error: (error as Error).message });
        return {
          content: [{ type: 'text', text: `no summary: ${(error as Error).message}` }],
          isError: true,
        };
      }
    },
  );
  return server;
}

export async function startOAuthHttpMcpServer(
  options: { oauth?: boolean } = {},
): Promise<OAuthHttpMcpServer> {
  const protect = options.oauth !== false;
  const bearerTokens: string[] = [];
  const samplingResults: OAuthHttpMcpServer['samplingResults'] = [];
  const app = express();
  app.use(express.json());
  const http = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const base = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const mcpUrl = new URL('/mcp', base);
  const provider = new DemoInMemoryAuthProvider();
  if (protect) {
    app.use(
      mcpAuthRouter({ provider, issuerUrl: base, resourceServerUrl: mcpUrl, scopesSupported: ['mcp:tools'] }),
    );
  }
  const guard: Handler = protect
    ? (requireBearerAuth({
        verifier: provider,
        resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
      }) as unknown as Handler)
    : (_request, _response, next) => next();
  // Stateful: a server's sampling request and the client's answer must reach the same session.
  const sessions = new Map<
    string,
    { transport: StreamableHTTPServerTransport; token: { current?: string } }
  >();
  app.all('/mcp', guard, async (request: Request, response: Response) => {
    const token = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (token) bearerTokens.push(token);
    const sessionId = request.headers['mcp-session-id'] as string | undefined;
    const known = sessionId ? sessions.get(sessionId) : undefined;
    if (known) {
      known.token.current = token;
      await known.transport.handleRequest(request, response, request.body);
      return;
    }
    if (request.method !== 'POST' || !isInitializeRequest(request.body)) {
      response.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'no session' }, id: null });
      return;
    }
    const holder: { current?: string } = { current: token };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, token: holder });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await buildServer(() => holder.current, samplingResults).connect(transport);
    await transport.handleRequest(request, response, request.body);
  });
  return {
    url: mcpUrl.toString(),
    bearerTokens,
    samplingResults,
    close: async () => {
      for (const session of sessions.values()) await session.transport.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    },
  };
}
