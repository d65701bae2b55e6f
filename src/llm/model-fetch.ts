// The model providers' HTTP client: undici's request API behind the `fetch` the AI SDK calls, without fetch's
// WHATWG stream machinery on a JSON reply (a third of a model call's client CPU, measured in bench/engine).
import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, type Dispatcher, request } from 'undici';

/** A reply up to this size is read whole and handed over as bytes; a larger one is streamed, as fetch does. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/** Set: the process asked for a proxy, which only `fetch` (Node 24's NODE_USE_ENV_PROXY) knows how to use. */
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NODE_USE_ENV_PROXY'];

/** One connection pool for every model endpoint of the process, with fetch's defaults (keep-alive, timeouts). */
let agent: Agent | undefined;

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** True when this request is one the fast path handles exactly as fetch would; anything else goes to fetch. */
function handledHere(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): boolean {
  if (typeof input !== 'string' && !(input instanceof URL)) return false;
  if (!/^https?:\/\//i.test(urlOf(input))) return false;
  const body = init?.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
    return false;
  if (init?.redirect === 'manual' || init?.redirect === 'error') return false;
  return !PROXY_VARIABLES.some((name) => process.env[name]);
}

function requestHeaders(init: RequestInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function responseHeaders(raw: Dispatcher.ResponseData['headers'], decoded: boolean): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    // A decoded body no longer has the encoding or the length it came with.
    if (decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/** Streams that undo a content encoding, as fetch does (this client asks for none; a server may send one). */
const DECODERS: Readonly<Record<string, () => NodeJS.ReadWriteStream>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function streamed(
  body: NodeJS.ReadableStream,
  status: number,
  statusText: string,
  headers: Headers,
): Response {
  return new Response(Readable.toWeb(Readable.from(body)) as ReadableStream<Uint8Array>, {
    status,
    statusText,
    headers,
  });
}

/** As fetch reports a network failure: a TypeError whose cause is the real error (the SDK retries on it). */
function networkFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  return new TypeError('fetch failed', { cause: error });
}

/**
 * `fetch`, for the model providers. Plain http(s) requests with a text or byte body are sent with undici's
 * `request` and their reply read whole (or streamed: an event stream, or past MAX_BUFFERED_BYTES); everything
 * else — another body type, a redirect, a proxy, an encoding it cannot undo — goes to the global `fetch`, so
 * the behaviour is fetch's either way: status, headers, aborts (the signal's reason), and a network failure as
 * `TypeError('fetch failed')` with its cause.
 */
export const modelFetch: typeof fetch = async (input, init) => {
  if (!handledHere(input, init)) return fetch(input, init);
  const signal = init?.signal ?? undefined;
  signal?.throwIfAborted();
  const method = (init?.method ?? 'GET').toUpperCase();
  agent ??= new Agent();
  let reply: Dispatcher.ResponseData;
  try {
    reply = await request(urlOf(input), {
      method: method as Dispatcher.HttpMethod,
      headers: requestHeaders(init),
      body: (init?.body ?? null) as string | Uint8Array | null,
      ...(signal ? { signal } : {}),
      dispatcher: agent,
    });
  } catch (error) {
    throw networkFailure(error, signal);
  }
  const status = reply.statusCode;
  const statusText = STATUS_CODES[status] ?? '';
  const encoding = String(reply.headers['content-encoding'] ?? 'identity').toLowerCase();
  const location = reply.headers.location;
  const decoder = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined;
  if ((status >= 300 && status < 400 && location) || (encoding !== 'identity' && !decoder)) {
    // fetch follows redirects (and knows more encodings): let it redo the request.
    await reply.body.dump().catch(() => undefined);
    return fetch(input, init);
  }
  if (NULL_BODY_STATUSES.has(status) || method === 'HEAD') {
    await reply.body.dump().catch(() => undefined);
    return new Response(null, { status, statusText, headers: responseHeaders(reply.headers, false) });
  }
  if (decoder)
    return streamed(reply.body.pipe(decoder()), status, statusText, responseHeaders(reply.headers, true));
  const headers = responseHeaders(reply.headers, false);
  if (String(reply.headers['content-type'] ?? '').includes('text/event-stream'))
    return streamed(reply.body, status, statusText, headers);
  const chunks: Buffer[] = [];
  let size = 0;
  // Read by hand: leaving a for-await loop would destroy the body, which a large reply still needs.
  const reader = (reply.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      chunks.push(next.value);
      size += next.value.length;
      if (size > MAX_BUFFERED_BYTES) {
        // Too large to hold: what was read, then the rest, as a stream (its reader bounds it, as with fetch).
        const whole = Readable.from(
          (async function* () {
            yield* chunks;
            for (let more = await reader.next(); !more.done; more = await reader.next()) yield more.value;
          })(),
        );
        return streamed(whole, status, statusText, headers);
      }
    }
  } catch (error) {
    throw networkFailure(error, signal);
  }
  return new Response(Buffer.concat(chunks, size), { status, statusText, headers });
};
