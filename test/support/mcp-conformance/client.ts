// Adapter the official MCP conformance suite runs as its client: our McpManager over streamable HTTP.
// Usage (by the suite): <this command> <server-url>; MCP_CONFORMANCE_SCENARIO names the scenario and
// MCP_CONFORMANCE_CONTEXT carries pre-registered credentials where the scenario has them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Narrow imports: the suite starts this adapter once per scenario, so its start-up is kept small.
import { SecretList } from '../../../src/config/secrets.js';
import { type McpServerConfig, McpServerConfigSchema } from '../../../src/config/sections/ptc.js';
import { McpManager } from '../../../src/ptc/mcp/mcp-manager.js';
import { authorizeMcpServer } from '../../../src/ptc/mcp/oauth-authorize.js';

const url = process.argv.at(-1);
if (!url?.startsWith('http')) {
  console.error('usage: client.ts <server-url>');
  process.exit(2);
}
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? 'scenario';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as Record<string, string>;
/** Arguments for the suite's tools (others take none). */
const ARGUMENTS: Record<string, Record<string, unknown>> = { add_numbers: { a: 2, b: 3 } };
/** Authorizations (a person running `roma tools auth`) the adapter performs before it gives up. */
const MAX_AUTHORIZATIONS = 2;

const directory = mkdtempSync(join(tmpdir(), 'roma-conformance-oauth-'));
// Pre-registered credentials (a secret, or a signing key: private_key_jwt): the unattended client_credentials
// grant. Otherwise authorization_code, with the
// suite's authorization page (which redirects at once) standing in for the person.
const oauth = context.client_secret
  ? { grant: 'client_credentials', clientId: context.client_id, clientSecret: context.client_secret }
  : context.private_key_pem
    ? {
        grant: 'client_credentials',
        clientId: context.client_id,
        privateKey: context.private_key_pem,
        ...(context.signing_algorithm ? { privateKeyAlgorithm: context.signing_algorithm } : {}),
      }
    : scenario.startsWith('auth/')
      ? { grant: 'authorization_code', redirectUrl: 'http://127.0.0.1:0/callback' }
      : undefined;
const config: McpServerConfig = McpServerConfigSchema.parse({
  transport: 'http',
  url,
  timeoutMs: 10_000,
  ...(oauth ? { oauth } : {}),
});
const secrets = new SecretList();
const manager = new McpManager({ servers: { suite: config }, secrets, oauthDirectory: directory });

async function callEveryTool(): Promise<void> {
  const tools = await manager.listTools('suite');
  for (const tool of tools) {
    const output = await manager.callTool('suite', tool.name, ARGUMENTS[tool.name] ?? {});
    console.log(`${tool.name}: ${secrets.redact(output.text)}`);
  }
}

let exitCode = 0;
try {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await callEveryTool();
      break;
    } catch (error) {
      const needsAuthorization = /roma tools auth/.test(String((error as { fix?: string }).fix));
      if (!needsAuthorization || attempt >= MAX_AUTHORIZATIONS) throw error;
      console.log(`${scenario}: ${(error as Error).message} — authorizing`);
      await authorizeMcpServer({
        name: 'suite',
        config,
        secrets,
        oauthDirectory: directory,
        openUrl: async (authorizationUrl) => {
          // The "browser": the suite's page redirects to our loopback listener with the code.
          const response = await fetch(authorizationUrl);
          await response.text();
        },
        timeoutMs: 10_000,
      });
    }
  }
} catch (error) {
  console.error(`${scenario}: ${secrets.redact((error as Error).message)}`);
  exitCode = 1;
} finally {
  await manager.close();
  rmSync(directory, { recursive: true, force: true });
}
process.exit(exitCode);
