// Config of the API server, logging and experiment tracking.
import { z } from 'zod';

export const ServerConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(1).max(65_535).default(8000),
    /** Host names the API answers besides loopback and the bind address, comma-separated (Host header check). */
    allowedHosts: z.string().default(''),
    /** Origins allowed to call the API from a browser (CORS), comma-separated; none by default. */
    corsOrigins: z.string().default(''),
    /** Requests per minute per API key (per address without keys). */
    rateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(600),
    /** Largest request body accepted (413 above it). */
    maxBodyBytes: z.number().int().min(1_024).max(100_000_000).default(1_000_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    mlflowTrackingUri: z.url().optional(),
  })
  .strict();
