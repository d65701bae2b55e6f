// `roma tools auth <server>` end to end: it prints the authorization page, a "browser" opens it, the tokens
// land in <dataDir>/mcp-oauth (never printed), and `roma tools list` then connects with them.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthHttpMcpServer, startOAuthHttpMcpServer } from '../../../test/support/mcp-servers/index.js';
import { closedPort, runRomaAsync, spawnRoma } from './cli-test-support.js';

/** Bound on waiting for the command to print the URL (polls of 100 ms). */
const MAX_POLLS = 600;

describe('roma tools auth (CLI)', () => {
  let server: OAuthHttpMcpServer;
  let cwd: string;

  beforeAll(async () => {
    server = await startOAuthHttpMcpServer();
    cwd = mkdtempSync(join(tmpdir(), 'roma-tools-auth-'));
    const port = await closedPort();
    writeFileSync(
      join(cwd, 'roma.config.yaml'),
      [
        'store:',
        `  dataDir: ${join(cwd, 'data')}`,
        'ptc:',
        '  mcpServers:',
        '    docs:',
        '      transport: http',
        `      url: ${server.url}`,
        '      oauth:',
        '        grant: authorization_code',
        `        redirectUrl: http://127.0.0.1:${port}/oauth/callback`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('before: `roma tools list` says the server needs `roma tools auth docs`', async () => {
    const run = await runRomaAsync(['tools', 'list'], { cwd });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('docs (http) — failed: MCP server docs needs OAuth authorization');
  });

  it('prints the page, stores the tokens when it is opened, and `roma tools list` then works', async () => {
    const auth = spawnRoma(['tools', 'auth', 'docs', '--timeout-ms', '60000'], { cwd });
    let url: string | undefined;
    for (let poll = 0; poll < MAX_POLLS && !url; poll += 1) {
      url = auth.output().stdout.match(/^\s+(http\S+\/authorize\S+)$/m)?.[1];
      if (!url) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(url, auth.output().stderr).toBeDefined();
    await (await fetch(url!)).text();
    const run = await auth.finished;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `docs: authorized (2 tools); tokens kept in ${join(cwd, 'data', 'mcp-oauth', 'docs.json')}`,
    );
    const tokenFile = join(cwd, 'data', 'mcp-oauth', 'docs.json');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = (JSON.parse(readFileSync(tokenFile, 'utf8')) as { tokens: { access_token: string } }).tokens
      .access_token;
    expect(run.stdout.includes(token)).toBe(false);

    const list = await runRomaAsync(['tools', 'list'], { cwd });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('docs (http) — 2 tools');
    expect(server.bearerTokens).toContain(token);
    expect(`${list.stdout}${list.stderr}`.includes(token)).toBe(false);
  });
});
