// OpenTelemetry tracing over OTLP/HTTP, loaded (dynamic import) only when an endpoint is configured, so a process
// without it pays nothing. Spans queue in a bounded batch processor; a collector that is down loses spans,
// never time of the run.
import type { StreamEvent } from '../../contracts/index.js';
import { createSpanFold } from './span-fold.js';

interface OtelTracingOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  serviceName: string;
  recordContent: boolean;
  /** Spans waiting at most (default 2048); past it they are dropped. */
  maxQueueSize?: number;
  /** Bound on one export request (default 5000). */
  exportTimeoutMs?: number;
  /** How often queued spans are sent (default 1000). */
  scheduledDelayMs?: number;
}

interface OtelTracing {
  onEvent(event: StreamEvent): void;
  /** Sends what is queued, within `timeoutMs`. */
  flush(timeoutMs?: number): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

async function within(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
    }),
  ]);
  clearTimeout(timer);
}

function otlpTracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

export async function openOtelTracing(options: OtelTracingOptions): Promise<OtelTracing> {
  const [api, sdk, exporterModule, resources, semconv] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const exporter = new exporterModule.OTLPTraceExporter({
    url: otlpTracesUrl(options.endpoint),
    timeoutMillis: options.exportTimeoutMs ?? 5000,
  });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: options.serviceName,
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(exporter, {
        maxQueueSize: options.maxQueueSize ?? 2048,
        maxExportBatchSize: 512,
        scheduledDelayMillis: options.scheduledDelayMs ?? 1000,
        exportTimeoutMillis: options.exportTimeoutMs ?? 5000,
      }),
    ],
  });
  const tracer = provider.getTracer('roma-ptc');
  const fold = createSpanFold(
    tracer,
    {
      setSpan: (context, span) => api.trace.setSpan(context, span),
      rootContext: api.ROOT_CONTEXT,
      statusError: api.SpanStatusCode.ERROR,
      statusOk: api.SpanStatusCode.OK,
      kindInternal: api.SpanKind.INTERNAL,
      kindClient: api.SpanKind.CLIENT,
    },
    { recordContent: options.recordContent },
  );
  return {
    onEvent: (event) => fold.apply(event),
    flush: (timeoutMs = 5000) => within(provider.forceFlush(), timeoutMs),
    close: (timeoutMs = 5000) => within(provider.shutdown(), timeoutMs),
  };
}
