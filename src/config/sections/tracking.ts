// Config of experiment tracking (MLflow, with `server.mlflowTrackingUri`) and OpenTelemetry traces.
import { z } from 'zod';

export const TrackingConfigSchema = z
  .object({
    /** MLflow experiment each run is recorded in; created when missing. */
    mlflowExperiment: z.string().min(1).max(250).default('roma'),
    /** Bound on MLflow deliveries waiting; past it they are dropped and counted. */
    maxQueued: z.number().int().min(1).max(100_000).default(1000),
    /** How long closing waits for pending MLflow deliveries before dropping them. */
    flushTimeoutMs: z.number().int().min(0).max(600_000).default(5000),
  })
  .strict();

export const OtelConfigSchema = z
  .object({
    /** OTLP/HTTP collector base URL (spans go to `<endpoint>/v1/traces`); no tracing when unset. */
    endpoint: z.url().optional(),
    serviceName: z.string().min(1).default('roma-ptc'),
    /** Put goals, prompts and results on spans; off by default (they may hold private data). */
    recordContent: z.boolean().default(false),
  })
  .strict();
