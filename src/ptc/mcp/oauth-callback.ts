// The loopback listener that receives an OAuth authorization code (RFC 8252 §7.3), bounded in time and size.
import { createServer, type Server } from 'node:http';
import { RomaError } from '../../contracts/index.js';

export interface CallbackListener {
  /** The redirect URL with the port actually bound (a configured port 0 is chosen by the system). */
  url: string;
  /** The code of the first callback whose `state` matches; rejects on an error answer, a timeout or `signal`. */
  waitForCode(expectedState: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

const PAGE = (text: string) =>
  `<!doctype html><meta charset="utf-8"><title>roma</title><p>${text.replace(/[<>&]/g, '')}</p>`;

export async function listenForCallback(redirectUrl: string): Promise<CallbackListener> {
  const target = new URL(redirectUrl);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new RomaError(
      'CONFIG_INVALID',
      `the OAuth redirectUrl ${redirectUrl} is not a loopback http address`,
      {
        field: 'oauth.redirectUrl',
        fix: 'use http://127.0.0.1:<port>/<path> (the authorization page sends the code back to this machine)',
      },
    );
  }
  type Outcome = { code: string; state: string | null } | { error: string };
  const outcomes: Outcome[] = [];
  let wake: (() => void) | undefined;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://loopback');
    if (url.pathname !== target.pathname) {
      response.writeHead(404).end();
      return;
    }
    const code = url.searchParams.get('code');
    const error = url.searchParams.get('error');
    // Bounded: only the first few callbacks are kept (a page reloaded in a loop cannot grow memory).
    if (outcomes.length < 10) {
      if (code) outcomes.push({ code, state: url.searchParams.get('state') });
      else
        outcomes.push({
          error: `${error ?? 'no code'} ${url.searchParams.get('error_description') ?? ''}`.trim(),
        });
    }
    response.writeHead(code ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      PAGE(code ? 'roma is authorized. You can close this page.' : `Authorization failed: ${error}`),
    );
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(target.port || 80), target.hostname.replace(/^\[|\]$/g, ''), () => resolve());
  });
  const address = server.address();
  if (address && typeof address === 'object') target.port = String(address.port);
  return {
    url: target.toString(),
    waitForCode: (expectedState, timeoutMs, signal) =>
      new Promise<string>((resolve, reject) => {
        const finish = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          wake = undefined;
        };
        const check = () => {
          for (const outcome of outcomes.splice(0)) {
            if ('error' in outcome) {
              finish();
              reject(
                new RomaError(
                  'UNAUTHORIZED',
                  `the authorization server refused: ${outcome.error.slice(0, 300)}`,
                ),
              );
              return;
            }
            // A callback for another attempt (stale state) is ignored, not taken as this one's answer.
            if (expectedState === undefined || outcome.state === expectedState) {
              finish();
              resolve(outcome.code);
              return;
            }
          }
        };
        const onAbort = () => {
          finish();
          reject(new RomaError('CANCELLED', 'authorization cancelled'));
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new RomaError('TIMEOUT', `no authorization came back within ${Math.round(timeoutMs / 1000)} s`, {
              fix: 'open the URL printed above in a browser on this machine, or pass a longer --timeout-ms',
            }),
          );
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        wake = check;
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
