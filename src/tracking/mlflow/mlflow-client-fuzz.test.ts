// Fuzz of the MLflow boundary: whatever a tracking server answers (any status, any bytes), the client either
// returns a well-typed value or throws a DeliveryError — never another error, never a hang.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../delivery-queue.js';
import { MlflowClient } from './mlflow-client.js';

let reply: { status: number; body: Buffer } = { status: 200, body: Buffer.from('{}') };
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(reply.status).end(reply.body));
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.json().map((text) => Buffer.from(text)),
  fc
    .record({
      run: fc.option(fc.record({ info: fc.option(fc.dictionary(fc.string(), fc.jsonValue())) })),
      experiment: fc.option(fc.dictionary(fc.string(), fc.jsonValue())),
      experiment_id: fc.option(fc.jsonValue()),
      error_code: fc.option(fc.jsonValue()),
      message: fc.option(fc.jsonValue()),
    })
    .map((value) => Buffer.from(JSON.stringify(value))),
);

describe('MLflow client against arbitrary answers', () => {
  it('returns typed values or throws DeliveryError', async () => {
    const client = new MlflowClient(url);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 201, 204, 400, 404, 429, 500, 503),
        bodies,
        async (status, body) => {
          reply = { status, body };
          const signal = AbortSignal.timeout(5_000);
          for (const call of [
            () => client.ensureExperiment('fuzz', signal).then((id) => expect(typeof id).toBe('string')),
            () =>
              client
                .createRun({ experimentId: '1', runName: 'r', startTime: 0, tags: [] }, signal)
                .then((run) => expect(typeof run.runId).toBe('string')),
            () => client.updateRun('r', 'FINISHED', 0, signal),
          ]) {
            try {
              await call();
            } catch (error) {
              expect(error, String(error)).toBeInstanceOf(DeliveryError);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
