// OAuth for remote MCP servers against a server built from the MCP SDK's auth helpers: the run's error names
// `roma tools auth`, that flow stores the tokens (0600) on the host, and no token reaches output or events.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthHttpMcpServer, startOAuthHttpMcpServer } from '../../../test/support/mcp-servers/index.js';
import { filesUnder } from '../../../test/support/mcp-servers/secret-canaries.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import { SecretList } from '../../config/secrets.js';
import { McpServerConfigSchema } from '../../config/sections/ptc.js';
import { RomaError } from '../../contracts/index.js';
import { McpManager } from './mcp-manager.js';
import { authorizeMcpServer } from './oauth-authorize.js';

it("a token file that is not roma's fails that server with the fix, not the manager", async () => {
  const directory = mkdtempSync(join(tmpdir(), 'roma-oauth-corrupt-'));
  try {
    writeFileSync(join(directory, 'broken.json'), '{ not json');
    const manager = new McpManager({
      servers: {
        broken: McpServerConfigSchema.parse({
          transport: 'http',
          url: 'http://127.0.0.1:9/mcp',
          oauth: { grant: 'authorization_code' },
        }),
      },
      oauthDirectory: directory,
    });
    const failure = await manager.listTools('broken').catch((error: unknown) => error);
    expect((failure as Error).message).toContain("is not roma's format");
    await manager.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

describe('OAuth (authorization_code) for a remote MCP server', () => {
  let server: OAuthHttpMcpServer;
  let directory: string;
  let manager: McpManager;
  const secrets = new SecretList();
  const config = () =>
    McpServerConfigSchema.parse({
      transport: 'http',
      url: server.url,
      timeoutMs: 10_000,
      oauth: { grant: 'authorization_code', redirectUrl: 'http://127.0.0.1:0/callback' },
    });
  // The person's browser: the demo authorization page approves at once and redirects to our loopback listener.
  const browser = async (url: URL) => {
    await (await fetch(url)).text();
  };

  beforeAll(async () => {
    server = await startOAuthHttpMcpServer();
    directory = mkdtempSync(join(tmpdir(), 'roma-oauth-'));
    manager = new McpManager({ servers: { secure: config() }, secrets, oauthDirectory: directory });
  });
  afterAll(async () => {
    await manager?.close();
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('a run without tokens fails with an error that names `roma tools auth`', async () => {
    const failure = await manager.listTools('secure').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RomaError);
    expect((failure as RomaError).message).toContain('MCP server secure needs OAuth authorization');
    expect((failure as RomaError).fix).toContain('roma tools auth secure');
    expect(manager.status()[0]).toMatchObject({ status: 'failed' });
    expect(server.bearerTokens).toEqual([]);
  });

  it('`roma tools auth` stores the tokens in a 0600 file; the run then connects with them', async () => {
    const outcome = await authorizeMcpServer({
      name: 'secure',
      config: config(),
      secrets,
      oauthDirectory: directory,
      openUrl: browser,
      timeoutMs: 10_000,
    });
    expect(outcome).toMatchObject({ alreadyAuthorized: false, toolCount: 2 });
    expect(outcome.tokenFile).toBe(join(directory, 'secure.json'));
    expect(statSync(outcome.tokenFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(outcome.tokenFile, 'utf8')) as {
      tokens: { access_token: string };
    };
    const token = stored.tokens.access_token;
    expect(token.length).toBeGreaterThan(8);

    const tools = await manager.listTools('secure');
    expect(tools.map((tool) => tool.name).sort()).toEqual(['summarize', 'whoami']);
    expect(server.bearerTokens).toContain(token);
    // The token is a secret of the process from the moment it exists.
    expect(secrets.redact(`Bearer ${token}`)).toBe('Bearer ***');

    const again = await authorizeMcpServer({
      name: 'secure',
      config: config(),
      secrets: new SecretList(),
      oauthDirectory: directory,
      openUrl: () => {
        throw new Error('must not ask again');
      },
      timeoutMs: 10_000,
    });
    expect(again.alreadyAuthorized).toBe(true);
  });

  it('secret canary: the access token a hostile server echoes appears in no output, event, artifact or model request', async () => {
    const token = (
      JSON.parse(readFileSync(join(directory, 'secure.json'), 'utf8')) as { tokens: { access_token: string } }
    ).tokens.access_token;
    const harness = await startPtcHarness({
      manager,
      rules: [
        conversationRule('[oauth-canary]', [
          codeReply(
            [
              'const who = await secure.whoami({});',
              "console.log('who', JSON.stringify(who));",
              "workspace.writeFile('results/who.txt', JSON.stringify(who));",
              "throw new Error('leaking ' + JSON.stringify(who));",
            ].join('\n'),
          ),
          finalAnswerFrom(),
        ]),
      ],
    });
    try {
      const before = server.bearerTokens.length;
      const result = await harness.execute({
        goal: '[oauth-canary] who am I at the secure server?',
        tools: { servers: [{ name: 'secure' }] },
      });
      // Positive controls: the call carried the token, and the server echoed something (redacted).
      expect(server.bearerTokens.slice(before)).toContain(token);
      expect(result.executions[0]!.stdout).toContain('who {"token":"***"}');
      expect(result.executions[0]!.stderr).toContain('leaking');
      const seen = [
        JSON.stringify(result),
        JSON.stringify(harness.events),
        harness.model.requests.map((request) => JSON.stringify(request.body)).join('\n'),
        ...filesUnder(harness.dataDir),
      ].join('\n');
      expect(seen).toContain('***');
      expect(seen.includes(token)).toBe(false);
    } finally {
      await harness.close();
    }
  });
});
