// A loopback OTLP/HTTP trace receiver: decodes the JSON export requests (`POST /v1/traces`) into flat spans
// with their attributes; can also hang (accept and never answer) to stand in for a stuck collector.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  startMs: number;
  endMs: number;
  status: number;
  attributes: Record<string, string | number | boolean>;
  serviceName: string;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** Raw request bodies, to search for text that must not leave the process. */
  bodies: string[];
  contentTypes: string[];
  hang: boolean;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

function decodeValue(value: OtlpValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue ?? '';
}

function attributesOf(
  list: Array<{ key: string; value: OtlpValue }> | undefined,
): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, decodeValue(entry.value)]));
}

const nanosToMs = (value: string | number): number => Number(BigInt(value) / 1_000_000n);

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: OtlpReceiver = {
    url: '',
    spans: [],
    bodies: [],
    contentTypes: [],
    hang: false,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      if (receiver.hang) return;
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      receiver.bodies.push(body);
      receiver.contentTypes.push(String(request.headers['content-type']));
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{
          resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
          scopeSpans: Array<{ spans: Array<Record<string, unknown>> }>;
        }>;
      };
      for (const resourceSpans of parsed.resourceSpans) {
        const serviceName = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            receiver.spans.push({
              traceId: String(span.traceId),
              spanId: String(span.spanId),
              parentSpanId: String(span.parentSpanId ?? ''),
              name: String(span.name),
              startMs: nanosToMs(span.startTimeUnixNano as string),
              endMs: nanosToMs(span.endTimeUnixNano as string),
              status: Number((span.status as { code?: number } | undefined)?.code ?? 0),
              attributes: attributesOf(span.attributes as Array<{ key: string; value: OtlpValue }>),
              serviceName,
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
