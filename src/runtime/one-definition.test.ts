// Guards of the layout rules of issue 11: one definition of each concept, no hidden wiring, no test/ in production.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = sourceFiles().map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
/** Files with a line of code (not a comment) that matches. */
const holding = (pattern: RegExp) =>
  files
    .filter((file) =>
      file.text.split('\n').some((line) => !/^\s*(\/\/|\*|\/\*)/.test(line) && pattern.test(line)),
    )
    .map((file) => file.path);

describe('one definition of each concept', () => {
  it('production code never imports test/', () => {
    expect(holding(/from '(\.\.\/)+test\//)).toEqual([]);
  });

  it('no module-level code agent registry: the runtime wires the code agent explicitly', () => {
    expect(holding(/registerCodeAgentFactory/)).toEqual([]);
  });

  it('CodeAgent and ModelResolver are defined once, in contracts', () => {
    expect(holding(/interface \w*CodeAgent\b/)).toEqual(['contracts/code-agent.ts']);
    expect(holding(/interface \w*ModelResolver\b/)).toEqual(['contracts/model-resolver.ts']);
  });

  it('config takes task types, module names, cache strategies and sandbox providers from contracts', () => {
    expect(holding(/'RETRIEVE', 'THINK'/).filter((path) => path.startsWith('config/'))).toEqual([]);
    expect(holding(/'atomizer', 'planner'/).filter((path) => path.startsWith('config/'))).toEqual([]);
    expect(holding(/'isolate', 'process'/).filter((path) => path.startsWith('config/'))).toEqual([]);
    expect(holding(/'ALWAYS', 'NEVER'/).filter((path) => path.startsWith('config/'))).toEqual([]);
  });

  it('env references ($VAR in braces) are expanded by one function', () => {
    expect(holding(/\\\$\\\{\(\[A-Za-z_\]/)).toEqual(['config/expand.ts']);
  });

  it('the truncation marker is written once', () => {
    expect(holding(/…\[truncated|more chars\]/)).toEqual(['contracts/truncation.ts']);
  });

  it('config walking reads no zod internals (`_zod`), which a zod minor release may change', () => {
    expect(holding(/\._zod\b/)).toEqual([]);
  });

  it('front ends construct no store, cache, model registry, MCP manager or sandbox: they call the runtime', () => {
    const constructing =
      /\b(openExecutionStore|openArtifactStore|openLlmCache|openCacheStore|createLlmCache|new McpManager|createSandboxFromConfig)\(/;
    // `roma doctor` resolves the model with the registry on purpose: it checks each part on its own.
    // Test helpers beside the CLI (a child's store opened to watch it) are not a front end.
    const frontEnd = (path: string) =>
      path.startsWith('cli/') && !path.endsWith('-test-support.ts') && !path.includes('/testing/');
    expect(holding(constructing).filter(frontEnd)).toEqual([]);
    // Positive control: the guard sees the constructions where they belong, in the runtime.
    expect(holding(constructing).some((path) => path.startsWith('runtime/'))).toBe(true);
  });
});
