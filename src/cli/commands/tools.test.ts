// `roma tools import`: MCP client configs (Claude Desktop, Cursor, .mcp.json, VS Code) become roma entries.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the config syntax under test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importMcpClientConfig, loadConfig } from '../../config/index.js';
import { runRoma } from './cli-test-support.js';
import { mergeServersIntoConfig, renderToolsListing } from './tools.js';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'roma-tools-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

const CLAUDE_DESKTOP = {
  mcpServers: {
    files: {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'],
      env: { A: '1' },
    },
    remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } },
    legacy: { type: 'sse', url: 'https://mcp.example.com/sse', disabled: false },
    broken: { command: '' },
  },
};

describe('importMcpClientConfig', () => {
  it('imports each good entry with its transport, and reports the bad one and the dropped keys without losing the others', () => {
    const imported = importMcpClientConfig(CLAUDE_DESKTOP, 'claude.json');
    expect(Object.keys(imported.servers).sort()).toEqual(['files', 'legacy', 'remote']);
    expect(imported.servers.files).toEqual({
      transport: 'stdio',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'],
      env: { A: '1' },
    });
    expect(imported.servers.remote).toMatchObject({ transport: 'http' });
    expect(imported.servers.legacy).toEqual({ transport: 'sse', url: 'https://mcp.example.com/sse' });
    expect(imported.notes.join('\n')).toContain('broken.command: not imported');
    expect(imported.notes.join('\n')).toContain('legacy: dropped disabled');
  });

  it("reads VS Code's `servers` table and says what is missing from a file that has neither", () => {
    expect(
      Object.keys(importMcpClientConfig({ servers: { a: { type: 'stdio', command: 'x' } } }, 'f').servers),
    ).toEqual(['a']);
    expect(importMcpClientConfig({ other: 1 }, 'f.json').notes[0]).toContain('no "mcpServers"');
  });
});

describe('mergeServersIntoConfig', () => {
  it('keeps comments and existing servers unless asked to replace them', () => {
    const before =
      '# team config\nllm:\n  model: openai:x # ours\nptc:\n  mcpServers:\n    files: { command: mine }\n';
    const imported = importMcpClientConfig(CLAUDE_DESKTOP, 'c').servers;
    const kept = mergeServersIntoConfig(before, imported, false);
    expect(kept.skipped).toEqual(['files']);
    expect(kept.text).toContain('# team config');
    expect(kept.text).toContain('# ours');
    expect(parse(kept.text).ptc.mcpServers.files).toEqual({ command: 'mine' });
    expect(parse(kept.text).ptc.mcpServers.legacy.transport).toBe('sse');
    const replaced = mergeServersIntoConfig(before, imported, true);
    expect(parse(replaced.text).ptc.mcpServers.files.command).toBe('npx');
  });
});

describe('roma tools import (CLI)', () => {
  it('--write adds the servers to roma.config.yaml, which then loads', () => {
    writeFileSync(join(cwd, 'claude_desktop_config.json'), JSON.stringify(CLAUDE_DESKTOP));
    writeFileSync(join(cwd, 'roma.config.yaml'), '# mine\nengine:\n  maxDepth: 1\n');
    const run = runRoma(['tools', 'import', 'claude_desktop_config.json', '--write'], {
      cwd,
      env: { TOKEN: 't' },
    });
    expect(run.stderr).toContain('broken.command: not imported');
    expect(run.stdout).toContain('added 3 MCP server(s)');
    expect(run.status).toBe(0);
    expect(readFileSync(join(cwd, 'roma.config.yaml'), 'utf8')).toContain('# mine');
    const config = loadConfig({ cwd, env: { TOKEN: 't' } });
    expect(config.ptc.mcpServers.files?.transport).toBe('stdio');
    expect(config.engine.maxDepth).toBe(1);
  });

  it('refuses a file that is not JSON with one line naming it', () => {
    writeFileSync(join(cwd, 'x.json'), '{ nope');
    const run = runRoma(['tools', 'import', 'x.json'], { cwd });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^roma: VALIDATION_FAILED .*x\.json is not JSON/);
  });

  it('roma reads .env in the current directory (config show names it)', () => {
    writeFileSync(join(cwd, '.env'), 'ROMA_ENGINE_MAX_DEPTH=4\n');
    const run = runRoma(['config', 'show'], { cwd });
    expect(run.stdout).toMatch(/maxDepth: 4 # from \.env ROMA_ENGINE_MAX_DEPTH/);
  });
});

describe('roma tools list rendering', () => {
  it('shows an MCP server’s tool names, descriptions and errors without their escape sequences', () => {
    const text = renderToolsListing({
      servers: [
        {
          name: 'hostile',
          transport: 'stdio',
          status: 'connected',
          toolCount: 1,
          connects: 1,
          error: 'broke\x1b]0;owned\x07',
          tools: [{ name: 'search\x1b[2J', description: '\x1b]52;c;ZXZpbA==\x07finds\rroma: ok' }],
        },
      ],
    });
    expect(text).not.toMatch(/[\x1b\x07\r]/);
    expect(text).toContain('search — findsroma: ok');
  });
});
