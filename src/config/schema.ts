// The one config schema: every section, validated together at start.
import { z } from 'zod';
import { CacheConfigSchema } from './sections/cache.js';
import { EngineConfigSchema } from './sections/engine.js';
import { LlmConfigSchema } from './sections/llm.js';
import { PtcConfigSchema } from './sections/ptc.js';
import { QueueConfigSchema } from './sections/queue.js';
import { SandboxConfigSchema } from './sections/sandbox.js';
import { ServerConfigSchema } from './sections/server.js';
import { StoreConfigSchema } from './sections/store.js';
import { OtelConfigSchema, TrackingConfigSchema } from './sections/tracking.js';

export const RomaConfigSchema = z
  .object({
    llm: LlmConfigSchema.default(LlmConfigSchema.parse({})),
    cache: CacheConfigSchema.default(CacheConfigSchema.parse({})),
    sandbox: SandboxConfigSchema.default(SandboxConfigSchema.parse({})),
    engine: EngineConfigSchema.default(EngineConfigSchema.parse({})),
    store: StoreConfigSchema.default(StoreConfigSchema.parse({})),
    ptc: PtcConfigSchema.default(PtcConfigSchema.parse({})),
    server: ServerConfigSchema.default(ServerConfigSchema.parse({})),
    tracking: TrackingConfigSchema.default(TrackingConfigSchema.parse({})),
    otel: OtelConfigSchema.default(OtelConfigSchema.parse({})),
    queue: QueueConfigSchema.default(QueueConfigSchema.parse({})),
  })
  .strict();
export type RomaConfig = z.output<typeof RomaConfigSchema>;

export function defaultConfig(): RomaConfig {
  return RomaConfigSchema.parse({});
}
