// Generated tool modules: JSON Schema → TypeScript/Python, import rewriting, docs and the prompt summary.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { McpToolInfo } from '../mcp/types.js';
import { compactToolDoc } from './compact-tool-doc.js';
import { pythonModule } from './python-module.js';
import type { CatalogServer } from './tool-catalog.js';
import { serverSummary, toolDoc } from './tool-docs.js';
import { rewriteToolImports, typescriptModule, typescriptPrelude } from './typescript-module.js';
import { toolWorkspaceFiles } from './workspace-files.js';

const searchTool: McpToolInfo = {
  server: 'git-hub',
  name: 'search-issues',
  description: 'Searches issues.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'search words' },
      state: { type: 'string', enum: ['open', 'closed'] },
      labels: { type: 'array', items: { type: 'string' } },
      limit: { type: 'integer' },
      'odd-name': { type: ['string', 'null'] },
    },
    required: ['query'],
  },
};
const server: CatalogServer = { name: 'git-hub', identifier: 'git_hub', tools: [searchTool] };

describe('tool modules', () => {
  it('renders one typed async function a tool from its JSON Schema', () => {
    const module = typescriptModule(server);
    expect(module).toContain('export type SearchIssuesInput = {');
    expect(module).toContain('  /** search words */\n  query: string;');
    expect(module).toContain('  state?: "open" | "closed";');
    expect(module).toContain('  labels?: string[];');
    expect(module).toContain('  "odd-name"?: string | null;');
    expect(module).toContain(
      'export async function search_issues(input: SearchIssuesInput): Promise<unknown> {',
    );
    expect(module).toContain('return __romaCallTool("git-hub", "search-issues", input);');
  });

  it('renders a Python function with keyword arguments calling the host bridge', () => {
    const module = pythonModule(server);
    expect(module).toContain(
      'def search_issues(query: str, state: Optional[Literal["open", "closed"]] = None, labels: Optional[list[str]] = None, limit: Optional[int] = None, **extra: Any) -> Any:',
    );
    expect(module).toContain(
      'return roma_host.call("__romaCallTool", "git-hub", "search-issues", arguments)',
    );
  });

  it('defines the namespaces at run time and turns tool imports into bindings', () => {
    expect(typescriptPrelude([server])).toContain(
      'globalThis["git_hub"] = Object.freeze({\n  "search_issues": (input = {}) => __romaCallTool("git-hub", "search-issues", input),',
    );
    const code = [
      "import * as gh from './tools/git_hub.ts';",
      "import { search_issues as find, type SearchIssuesInput } from 'tools/git-hub';",
      "import other from './lib/other';",
    ].join('\n');
    expect(rewriteToolImports(code, [server]).split('\n')).toEqual([
      'const gh = globalThis["git_hub"];',
      'const { search_issues: find } = globalThis["git_hub"];',
      "import other from './lib/other';",
    ]);
  });

  it('writes modules and one doc a tool, and a one-line summary a server', () => {
    const files = toolWorkspaceFiles({ servers: [server] });
    expect(Object.keys(files).sort()).toEqual([
      'tools/__init__.py',
      'tools/git_hub.py',
      'tools/git_hub.ts',
      'tools/git_hub/search_issues.md',
    ]);
    expect(toolDoc(server, searchTool)).toContain('- `query`: `string` / Python `str` — search words');
    expect(serverSummary(server, 'typescript')).toBe('- git-hub: 1 tools [search_issues] — global `git_hub`');
    expect(serverSummary(server, 'python')).toContain('`from tools import git_hub`');
  });

  it('answers readToolDoc with a short doc in the plan language, the full one on demand', () => {
    const limited: McpToolInfo = {
      ...searchTool,
      inputSchema: {
        ...searchTool.inputSchema,
        properties: {
          ...(searchTool.inputSchema.properties as Record<string, unknown>),
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        },
      },
      outputSchema: { type: 'object', properties: { total: { type: 'integer' } }, required: ['total'] },
    };
    const doc = compactToolDoc(server, limited, 'typescript');
    expect(doc.split('\n')).toEqual([
      '# git-hub.search-issues',
      'In code: `git_hub.search_issues` (the server calls it `search-issues`).',
      'Searches issues.',
      'Call: `await git_hub.search_issues({ query, state?, labels?, limit?, odd-name? })`',
      '- `query`: `string` — search words',
      '- `state` (optional): `"open" | "closed"`',
      '- `labels` (optional): `string[]`',
      '- `limit` (optional): `number` (integer, default 20, minimum 1, maximum 100)',
      '- `odd-name` (optional): `string | null`',
      'Returns (JSON): `{ total: number }`',
      "JSON Schemas (full doc): `await readToolDoc('git-hub', 'search-issues', 'full')`",
      '',
    ]);
    // What the short doc leaves out is in the full one: the schemas, both languages.
    expect(doc).not.toContain('Input JSON Schema');
    expect(toolDoc(server, limited)).toContain('## Input JSON Schema');
    expect(toolDoc(server, limited)).toContain('"maximum": 100');
    const python = compactToolDoc(server, limited, 'python');
    expect(python).toContain(
      'Call: `git_hub.search_issues(query, state=None, labels=None, limit=None, **{"odd-name": …})`',
    );
    expect(python).toContain('- `state` (optional): `Literal["open", "closed"]`');
    expect(python).not.toContain('await ');
  });
});

describe('tool modules from a hostile MCP server', () => {
  const hostile: CatalogServer = {
    name: 'evil',
    identifier: 'evil',
    tools: [
      { server: 'evil', name: 'a', description: 'ends in a backslash \\', inputSchema: { type: 'object' } },
      {
        server: 'evil',
        name: 'b',
        description: '\nprint("INJECTED FROM TOOL DOC")\ndef _x():\n  ',
        inputSchema: { type: 'object', properties: { mode: { enum: ['x', null, true] } } },
      },
      {
        server: 'evil',
        name: '__proto__',
        description: 'ends in a quote" """ and \\N{bad}',
        inputSchema: { type: 'object' },
      },
      { server: 'evil', name: 'x"); process.exit(); //', description: '*/ x', inputSchema: {} },
    ],
  };

  it('keeps tool descriptions and enums inert in the Python module', () => {
    const script = [
      'import sys, types',
      "host = types.ModuleType('roma_host'); host.call = lambda *a: a; sys.modules['roma_host'] = host",
      'source = sys.stdin.read()',
      "module = {'__name__': 'evil'}",
      "exec(compile(source, 'evil.py', 'exec'), module)",
      "print(sorted(k for k, v in module.items() if callable(v) and not k[0].isupper() and k not in ('roma_host',)))",
      "print(repr(module['b'].__doc__))",
    ].join('\n');
    const output = execFileSync('python3', ['-c', script], {
      input: pythonModule(hostile),
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(output).not.toMatch(/^INJECTED/m);
    expect(output).toContain("['__proto___', 'a', 'b', 'x____process_exit______']");
    expect(output).toContain('INJECTED FROM TOOL DOC');
  });

  it('keeps hostile tool names as plain members of the JavaScript namespace', () => {
    const calls: unknown[][] = [];
    const run = new Function('__romaCallTool', `${typescriptPrelude([hostile])}; return globalThis.evil;`);
    const namespace = run((...args: unknown[]) => calls.push(args)) as Record<string, () => unknown>;
    expect(Object.keys(namespace).sort()).toEqual(['__proto___', 'a', 'b', 'x____process_exit______']);
    namespace.x____process_exit______!();
    expect(calls).toEqual([['evil', 'x"); process.exit(); //', {}]]);
  });
});
