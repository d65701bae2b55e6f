// Config of the API server, logging and experiment tracking.
import { z } from 'zod';

export const ServerConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535).default(8000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    mlflowTrackingUri: z.url().optional(),
  })
  .strict();
export type ServerConfig = z.output<typeof ServerConfigSchema>;
