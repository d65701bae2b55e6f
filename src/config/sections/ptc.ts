// Config of the PTC code agent and the MCP servers whose tools it exposes to sandboxed code.
import { z } from 'zod';

export const McpServerConfigSchema = z.discriminatedUnion('transport', [
  z
    .object({
      transport: z.literal('stdio'),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      /** Values may reference host env vars as `${VAR}`; resolved on the host, never sent to a sandbox. */
      env: z.record(z.string(), z.string()).default({}),
      cwd: z.string().optional(),
      allowTools: z.array(z.string().min(1)).optional(),
      timeoutMs: z.number().int().positive().default(30_000),
    })
    .strict(),
  z
    .object({
      transport: z.enum(['http', 'sse']),
      url: z.url(),
      headers: z.record(z.string(), z.string()).default({}),
      allowTools: z.array(z.string().min(1)).optional(),
      timeoutMs: z.number().int().positive().default(30_000),
    })
    .strict(),
]);
export type McpServerConfig = z.output<typeof McpServerConfigSchema>;

export const PtcConfigSchema = z
  .object({
    /** http://… selects the remote PTC service; in-process otherwise. */
    serviceUrl: z.url().optional(),
    port: z.number().int().min(1).max(65_535).default(8002),
    maxIterations: z.number().int().min(1).max(20).default(5),
    tokenBudget: z.number().int().positive().default(200_000),
    enableTesting: z.boolean().default(false),
    /** `code` (programmatic tool calling) or `direct` (classic JSON tool calls). */
    mode: z.enum(['code', 'direct']).default('code'),
    mcpServers: z.record(z.string(), McpServerConfigSchema).default({}),
  })
  .strict();
