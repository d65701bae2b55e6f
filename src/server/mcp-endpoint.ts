// The MCP endpoint (`/mcp`) of `roma serve` and `roma mcp serve --http`: admitted by the API's gate (Host,
// Origin, key, rate), then answered by the MCP server's streamable-HTTP handler with the caller's identity.

import { RomaError } from '../contracts/index.js';
import type { McpHttpHandler } from '../mcp-server/index.js';
import type { Gate, GateDecision } from './security/index.js';

export const MCP_PATH = '/mcp';

/** An Origin must name a host this server answers to: a web page on a rebound name cannot drive the server. */
function checkOrigin(gate: Gate, origin: string | undefined): GateDecision {
  if (!origin) return { ok: true, identity: 'public' };
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  const decision = host ? gate.checkHost({ host }) : null;
  if (decision?.ok) return decision;
  return {
    ok: false,
    error: new RomaError('FORBIDDEN', 'this Origin may not use the MCP endpoint', {
      field: 'origin',
      fix: 'connect from a client on this machine, or add its host to server.allowedHosts',
    }),
  };
}

interface McpRequestContext {
  request: Request;
  remoteAddress: string | undefined;
}

/** The response to one request to `/mcp`; a refused one gets the API's error body and status. */
export async function answerMcpRequest(
  gate: Gate,
  handler: McpHttpHandler,
  context: McpRequestContext,
  refuse: (decision: Extract<GateDecision, { ok: false }>) => Response,
): Promise<Response> {
  const headers = context.request.headers;
  const origin = checkOrigin(gate, headers.get('origin') ?? undefined);
  if (!origin.ok) return refuse(origin);
  const decision = gate.admit({
    host: headers.get('host'),
    authorization: headers.get('authorization'),
    remoteAddress: context.remoteAddress,
  });
  if (!decision.ok) return refuse(decision);
  return handler.handle(context.request, decision.identity);
}
