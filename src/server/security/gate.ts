// One admission decision for HTTP requests and WebSocket upgrades alike: Host check, API key, rate limit.
import { RomaError } from '../../contracts/index.js';
import type { ApiKeySet } from './api-keys.js';
import { bearerFromSubprotocols, bearerToken, matchApiKey } from './api-keys.js';
import type { HostPolicy } from './host-check.js';
import { hostAllowed } from './host-check.js';
import { RateLimiter } from './rate-limit.js';

interface GateOptions {
  keys: ApiKeySet;
  hostPolicy: HostPolicy;
  requestsPerMinute: number;
}

interface GateRequest {
  host: string | null | undefined;
  authorization: string | null | undefined;
  /** `Sec-WebSocket-Protocol`, where a browser's WebSocket carries the key. */
  subprotocols?: string | null | undefined;
  remoteAddress: string | undefined;
}

export type GateDecision =
  | { ok: true; identity: string }
  | { ok: false; error: RomaError; retryAfterSeconds?: number };

export class Gate {
  readonly #options: GateOptions;
  readonly #limiter: RateLimiter;

  constructor(options: GateOptions) {
    this.#options = options;
    this.#limiter = new RateLimiter({ requestsPerMinute: options.requestsPerMinute });
  }

  get keysRequired(): boolean {
    return this.#options.keys.size > 0;
  }

  /** Host check only (for public pages: the dashboard's assets, /health, the API reference). */
  checkHost(request: Pick<GateRequest, 'host'>): GateDecision {
    if (hostAllowed(this.#options.hostPolicy, request.host)) return { ok: true, identity: 'public' };
    return {
      ok: false,
      error: new RomaError('FORBIDDEN', 'this Host is not served here', {
        field: 'host',
        fix: 'use the address the server listens on, or add the name to server.allowedHosts',
      }),
    };
  }

  admit(request: GateRequest): GateDecision {
    const host = this.checkHost(request);
    if (!host.ok) return host;
    let identity = `address:${request.remoteAddress ?? 'unknown'}`;
    if (this.keysRequired) {
      const candidate = bearerToken(request.authorization) ?? bearerFromSubprotocols(request.subprotocols);
      const matched = matchApiKey(this.#options.keys, candidate);
      if (!matched) {
        return {
          ok: false,
          error: new RomaError(
            'UNAUTHORIZED',
            candidate ? 'the API key is not valid' : 'an API key is required',
            {
              field: 'authorization',
              fix: 'send `Authorization: Bearer <key>` with a key from ROMA_API_KEYS',
            },
          ),
        };
      }
      identity = matched;
    }
    const rate = this.#limiter.take(identity);
    if (!rate.allowed) {
      return {
        ok: false,
        error: new RomaError('RATE_LIMITED', 'too many requests', {
          retryable: true,
          fix: `retry after ${rate.retryAfterSeconds} s (server.rateLimitPerMinute)`,
        }),
        retryAfterSeconds: rate.retryAfterSeconds,
      };
    }
    return { ok: true, identity };
  }
}
