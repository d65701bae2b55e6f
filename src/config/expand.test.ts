// `${VAR}` is expanded once, by one function with one set of rules, for config files and MCP server env/headers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTemplates } from '../ptc/mcp/env-template.js';
import { loadConfig } from './index.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'roma-expand-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

describe('${VAR} expansion', () => {
  it('leaves an MCP server env and headers to the connection, which expands them once with the same rules', () => {
    writeFileSync(
      join(cwd, 'roma.config.yaml'),
      [
        'engine:',
        '  maxDepth: ${DEPTH}',
        'ptc:',
        '  mcpServers:',
        '    data:',
        '      command: node',
        '      env:',
        '        API_KEY: ${DATA_KEY}',
        '        REGION: ${REGION:-eu}',
        '        LITERAL: $${NOT_A_VARIABLE}',
      ].join('\n'),
    );
    const env = { DEPTH: '3', DATA_KEY: 'secret-value-123', NOT_A_VARIABLE: 'must-not-appear' };
    const config = loadConfig({ cwd, env });
    expect(config.engine.maxDepth).toBe(3);
    const server = config.ptc.mcpServers.data;
    if (server?.transport !== 'stdio') throw new Error('expected a stdio server');
    // `roma config show` prints the reference, not the secret.
    expect(server.env.API_KEY).toBe('${DATA_KEY}');
    const resolved = resolveTemplates(server.env, env, 'ptc.mcpServers.data.env');
    expect(resolved.values).toEqual({
      API_KEY: 'secret-value-123',
      REGION: 'eu',
      LITERAL: '${NOT_A_VARIABLE}',
    });
    expect(resolved.secrets).toEqual(['secret-value-123']);
  });
});
