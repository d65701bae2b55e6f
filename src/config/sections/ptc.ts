// Config of the PTC code agent and the MCP servers whose tools it exposes to sandboxed code.
import { z } from 'zod';

/**
 * OAuth of a remote (http/sse) MCP server, through the MCP SDK's OAuth client. `client_credentials` is for an
 * unattended agent (machine-to-machine), authenticated by `clientSecret` or, with `privateKey`, by a signed JWT
 * (private_key_jwt, RFC 7523); `authorization_code` needs a person once: `roma tools auth <server>`
 * opens the authorization URL and keeps the tokens (refreshed by the client) in `tokenFile`, on the host.
 */
export const McpOAuthConfigSchema = z
  .object({
    grant: z.enum(['client_credentials', 'authorization_code']).default('authorization_code'),
    /** Pre-registered client; without it `authorization_code` registers one (dynamic client registration). */
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /**
     * PKCS#8 PEM private key the client signs its token-request assertion with (private_key_jwt) instead of
     * sending a secret; use `${VAR}` to keep it out of the file. Registered with the authorization server.
     */
    privateKey: z.string().min(1).optional(),
    /** The JWS algorithm of `privateKey` (RS256, ES256, PS256…). */
    privateKeyAlgorithm: z
      .string()
      .regex(/^(RS|ES|PS)(256|384|512)$/, 'an asymmetric JWS algorithm such as RS256 or ES256')
      .default('RS256'),
    scopes: z.array(z.string().min(1)).default([]),
    /** The authorization server the client's credentials belong to: they are sent nowhere else. */
    issuer: z.url().optional(),
    /** Loopback address `roma tools auth` listens on for the authorization code. */
    redirectUrl: z.url().default('http://127.0.0.1:33418/oauth/callback'),
    /** Where tokens and a registered client are kept (mode 0600); default `<store.dataDir>/mcp-oauth/<server>.json`. */
    tokenFile: z.string().min(1).optional(),
    clientName: z.string().min(1).default('roma-ptc'),
  })
  .strict()
  .refine(
    (oauth) =>
      oauth.grant !== 'client_credentials' || (oauth.clientId && (oauth.clientSecret || oauth.privateKey)),
    {
      message: 'client_credentials needs clientId, and clientSecret or privateKey (private_key_jwt)',
      path: ['clientSecret'],
    },
  )
  .refine((oauth) => !(oauth.clientSecret && oauth.privateKey), {
    message: 'give clientSecret or privateKey, not both: the client authenticates one way',
    path: ['privateKey'],
  })
  .refine((oauth) => !oauth.privateKey || oauth.clientId, {
    message: 'privateKey needs the clientId it was registered for (the assertion names it)',
    path: ['clientId'],
  });
export type McpOAuthConfig = z.output<typeof McpOAuthConfigSchema>;

/**
 * A server's `sampling/createMessage` requests, answered by the run's model inside the plan's token budget
 * (each an `llm-call` event), or refused. On by default with a small cap: a tool that asks for a summary
 * works, and one request cannot spend much.
 */
export const McpSamplingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Cap on each answer's output tokens (the server's `maxTokens` is lowered to it). */
    maxOutputTokens: z.number().int().positive().default(1_000),
  })
  .strict();
export type McpSamplingConfig = z.output<typeof McpSamplingConfigSchema>;

/** A server's sampling settings, defaults filled in. */
export function samplingPolicy(server: { sampling?: McpSamplingConfig | undefined }): McpSamplingConfig {
  return server.sampling ?? McpSamplingConfigSchema.parse({});
}

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
      /** Absent: the defaults of `McpSamplingConfigSchema` (`samplingPolicy`). */
      sampling: McpSamplingConfigSchema.optional(),
    })
    .strict(),
  z
    .object({
      transport: z.enum(['http', 'sse']),
      url: z.url(),
      headers: z.record(z.string(), z.string()).default({}),
      allowTools: z.array(z.string().min(1)).optional(),
      timeoutMs: z.number().int().positive().default(30_000),
      /** Absent: the defaults of `McpSamplingConfigSchema` (`samplingPolicy`). */
      sampling: McpSamplingConfigSchema.optional(),
      oauth: McpOAuthConfigSchema.optional(),
    })
    .strict(),
]);
export type McpServerConfig = z.output<typeof McpServerConfigSchema>;

export const PtcConfigSchema = z
  .object({
    /** http://… selects the remote PTC service; in-process otherwise. */
    serviceUrl: z.url().optional(),
    /**
     * Bearer key of the PTC service (`PTC_SERVICE_API_KEY`): `roma ptc serve` requires it on every request but
     * /health when set, and refuses a non-loopback address without it; its clients send it.
     */
    serviceApiKey: z.string().min(16, 'use a long random key, e.g. `openssl rand -hex 24`').optional(),
    port: z.number().int().min(1).max(65_535).default(8002),
    maxIterations: z.number().int().min(1).max(20).default(5),
    tokenBudget: z.number().int().positive().default(200_000),
    enableTesting: z.boolean().default(false),
    /** `code` (programmatic tool calling) or `direct` (classic JSON tool calls). */
    mode: z.enum(['code', 'direct']).default('code'),
    mcpServers: z.record(z.string(), McpServerConfigSchema).default({}),
  })
  .strict();
