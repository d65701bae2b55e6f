// Config of the sandbox providers that run model-written code.
import { z } from 'zod';
import { SandboxProviderSchema } from '../../contracts/index.js';

export const SandboxConfigSchema = z
  .object({
    provider: SandboxProviderSchema.default('isolate'),
    timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    memoryMb: z.number().int().min(16).max(65_536).default(256),
    maxOutputChars: z.number().int().min(100).max(10_000_000).default(20_000),
    poolSize: z.number().int().min(0).max(64).default(2),
    daytonaApiKey: z.string().min(1).optional(),
    daytonaApiUrl: z.url().optional(),
    daytonaTarget: z.string().min(1).optional(),
    /** Daytona snapshot to create sandboxes from (takes precedence over daytonaImage). */
    daytonaSnapshot: z.string().min(1).optional(),
    /** Container image to create Daytona sandboxes from, e.g. python:3.12-slim. */
    daytonaImage: z.string().min(1).optional(),
    /** Minutes of inactivity before a Daytona sandbox stops; always sent (default 15). */
    daytonaAutoStopMinutes: z.number().int().min(0).max(10_080).optional(),
    /** Minutes after stopping before a Daytona sandbox is deleted; always sent (default 30). */
    daytonaAutoDeleteMinutes: z.number().int().min(0).max(43_200).optional(),
  })
  .strict();
export type SandboxConfig = z.output<typeof SandboxConfigSchema>;
