// An HTTP server on 127.0.0.1 that answers OpenAI and Anthropic model calls from a script of rules.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCompletion, tokensOf } from './completion.js';
import { createPromptCache } from './prompt-cache.js';
import { anthropicWantsJsonTool, digestRequest } from './request-text.js';
import { createRuleBook } from './rules.js';
import type {
  ScriptedModelServer,
  ScriptedModelServerOptions,
  ScriptedProvider,
  ScriptedReply,
  ScriptedRequest,
} from './types.js';
import {
  anthropicResponse,
  anthropicStream,
  errorBody,
  formatSse,
  openAiResponse,
  openAiStream,
  type SseEvent,
} from './wire-formats.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_RETRY_AFTER_MS = 5;

const ROUTES: Record<string, ScriptedProvider> = {
  '/v1/chat/completions': 'openai',
  '/v1/messages': 'anthropic',
};

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function retryHeaders(retryAfterMs: number | null | undefined): Record<string, string> {
  const value = retryAfterMs === undefined ? DEFAULT_RETRY_AFTER_MS : retryAfterMs;
  return value === null ? {} : { 'retry-after-ms': String(value) };
}

/** Waits unless the client went away first; resolves false in that case. */
async function waitFor(milliseconds: number, gone: AbortSignal): Promise<boolean> {
  if (milliseconds <= 0) return !gone.aborted;
  try {
    await sleep(milliseconds, undefined, { signal: gone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until `deadline` (a `performance.now()` time) unless the client went away first. A Node timer fires
 * up to a millisecond or more late (whole-millisecond loop clock), which would add to every scripted latency:
 * the timer covers all but the last millisecond, and turns of the event loop the rest.
 */
async function waitUntil(deadline: number, gone: AbortSignal): Promise<boolean> {
  if (!(await waitFor(Math.floor(deadline - performance.now()) - 1, gone))) return false;
  while (performance.now() < deadline) {
    if (gone.aborted) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return !gone.aborted;
}

async function writeStream(
  response: ServerResponse,
  events: SseEvent[],
  chunkDelayMs: number,
  gone: AbortSignal,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  for (const [position, event] of events.entries()) {
    if (gone.aborted) return;
    if (position > 0 && chunkDelayMs > 0 && !(await waitFor(chunkDelayMs, gone))) return;
    response.write(formatSse(event));
  }
  response.end();
}

export async function startScriptedModelServer(
  options: ScriptedModelServerOptions,
): Promise<ScriptedModelServer> {
  const rules = createRuleBook(options.rules);
  const requests: ScriptedRequest[] = [];
  let nextIndex = 0;
  const promptCache = createPromptCache();

  async function answer(
    provider: ScriptedProvider,
    path: string,
    incoming: IncomingMessage,
    response: ServerResponse,
    arrivedAt: number,
  ) {
    const closed = new AbortController();
    let recorded: ScriptedRequest | undefined;
    response.on('close', () => {
      if (!response.writableFinished && recorded) recorded.clientAborted = true;
      closed.abort();
    });
    let raw: string;
    try {
      raw = await readBody(incoming);
    } catch (error) {
      sendJson(response, 413, errorBody(provider, 413, (error as Error).message));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      sendJson(response, 400, errorBody(provider, 400, `body is not JSON: ${(error as Error).message}`));
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendJson(response, 400, errorBody(provider, 400, 'body must be a JSON object'));
      return;
    }
    const jsonBody = body as Record<string, unknown>;
    const digest = digestRequest(provider, jsonBody);
    const request: ScriptedRequest = {
      index: nextIndex++,
      provider,
      path,
      model: digest.model,
      body: jsonBody,
      stream: digest.stream,
      text: digest.text,
      toolResults: digest.toolResults,
      toolNames: digest.toolNames,
      matchedRule: undefined,
      receivedAt: Date.now(),
      clientAborted: false,
    };
    recorded = request;
    requests.push(request);

    const picked = rules.pick(request);
    if (!picked) {
      const excerpt = request.text.length > 300 ? `${request.text.slice(0, 300)}…` : request.text;
      const message =
        `scripted model: no rule matched request #${request.index} (${provider}, model "${request.model}"). ` +
        `Add a rule whose match fits this request text: ${JSON.stringify(excerpt)}`;
      sendJson(response, 500, errorBody(provider, 500, message), retryHeaders(undefined));
      return;
    }
    request.matchedRule = picked.label;

    let reply: ScriptedReply;
    try {
      reply = typeof picked.rule.reply === 'function' ? await picked.rule.reply(request) : picked.rule.reply;
    } catch (error) {
      const message = `scripted model: reply function of rule ${picked.label} threw: ${(error as Error).message}`;
      sendJson(response, 500, errorBody(provider, 500, message), retryHeaders(null));
      return;
    }

    // A model's latency runs from the request's arrival: reading and matching it is part of that time.
    const latencyMs = reply.latencyMs ?? options.latencyMs ?? 0;
    if (latencyMs > 0 && !(await waitUntil(arrivedAt + latencyMs, closed.signal))) return;

    if (reply.status !== undefined && reply.status >= 400) {
      const bodyOut =
        reply.errorBody ??
        errorBody(provider, reply.status, `scripted error ${reply.status} from rule ${picked.label}`);
      sendJson(response, reply.status, bodyOut, retryHeaders(reply.retryAfterMs));
      return;
    }

    const completion = buildCompletion(reply, request, {
      promptCacheTokens: provider === 'anthropic' ? promptCache.readAndWrite(jsonBody, tokensOf) : 0,
      jsonAsToolCall: provider === 'anthropic' && anthropicWantsJsonTool(jsonBody),
      idPrefix: provider === 'openai' ? 'call_scripted_' : 'toolu_scripted_',
    });
    const streamOptions = jsonBody.stream_options as { include_usage?: unknown } | undefined;
    const context = {
      requestIndex: request.index,
      model: request.model,
      includeUsage: streamOptions?.include_usage === true,
    };
    if (!request.stream) {
      sendJson(
        response,
        200,
        provider === 'openai' ? openAiResponse(completion, context) : anthropicResponse(completion, context),
      );
      return;
    }
    const events =
      provider === 'openai' ? openAiStream(completion, context) : anthropicStream(completion, context);
    await writeStream(response, events, reply.chunkDelayMs ?? 0, closed.signal);
  }

  const server = createServer((incoming, response) => {
    const arrivedAt = performance.now();
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    const provider = ROUTES[path];
    if (incoming.method === 'GET' && (path === '/' || path === '/health')) {
      sendJson(response, 200, { ok: true, service: 'scripted-model' });
      return;
    }
    if (incoming.method !== 'POST' || !provider) {
      sendJson(response, 404, {
        error: {
          message: `scripted model: no route ${incoming.method} ${path}; use POST /v1/chat/completions or POST /v1/messages`,
        },
      });
      return;
    }
    answer(provider, path, incoming, response, arrivedAt).catch((error: unknown) => {
      sendJson(response, 500, errorBody(provider, 500, `scripted model failed: ${String(error)}`));
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: `${url}/v1`,
    requests,
    setRules(next) {
      rules.replace(next);
    },
    clearRequests() {
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
