// The bundled demo model: the scripted model server answering the demo's script, and the config that points at it.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RomaConfig } from '../config/index.js';
import { parseJsonWith, RomaError } from '../contracts/index.js';
import { salesServerConfig } from './sales-server/index.js';
import type { ScriptedModelServer, ScriptedRule, ScriptedTree } from './scripted-model/index.js';
import { ScriptedTreeSchema, scriptedTreeRules, startScriptedModelServer } from './scripted-model/index.js';

export const DEMO_MODEL_ID = 'openai:roma-demo-scripted';

/** An illustrative price, so the demo shows cost accounting at work; `llm.prices` in config overrides it. */
const DEMO_PRICE = { inputPerMillionUsd: 3, outputPerMillionUsd: 15 } as const;

/** The bundled goal: a tree whose CODE tasks call the bundled sales MCP server from the isolate. */
const DEFAULT_DEMO_SCRIPT = 'refunds.json';
/** The name the bundled sales server has in the demo's config (the programs call `sales.list_orders`). */
const DEMO_SERVER = 'sales';

/** From `src/dev` (tsx) or `dist/src/dev` (built), the package's `examples/demo/<name>`. */
function demoScriptPath(name = DEFAULT_DEMO_SCRIPT): string {
  const candidates = ['../../examples/demo/', '../../../examples/demo/'].map((base) =>
    fileURLToPath(new URL(`${base}${name}`, import.meta.url)),
  );
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new RomaError('NOT_FOUND', `demo script ${name} not found (looked in ${candidates.join(', ')})`, {
      fix: 'run from a full checkout or an installed package that includes examples/',
    });
  }
  return found;
}

/** The demo's task tree (goal and canned replies) from `examples/demo/<name>`. */
export function loadDemoTree(name = DEFAULT_DEMO_SCRIPT): ScriptedTree & { goal: string } {
  const file = demoScriptPath(name);
  const parsed = parseJsonWith(ScriptedTreeSchema, readFileSync(file, 'utf8'), file);
  if (!parsed.ok) throw new RomaError('VALIDATION_FAILED', parsed.message, { field: file });
  return parsed.value;
}

/** The user's config with the model pointed at the demo server and the bundled MCP server (store, cache, REDIS_URL… stay theirs). */
function demoConfig(base: RomaConfig, openaiBaseUrl: string): RomaConfig {
  return {
    ...base,
    llm: {
      ...base.llm,
      model: DEMO_MODEL_ID,
      openaiBaseUrl,
      openaiApiKey: 'scripted-demo-no-key',
      prices: { [DEMO_MODEL_ID]: DEMO_PRICE, ...base.llm.prices },
    },
    engine: { ...base.engine, maxDepth: 2, maxConcurrency: Math.max(base.engine.maxConcurrency, 4) },
    // Programmatic tool calling in process, in the default isolate, on the bundled server only.
    sandbox: { ...base.sandbox, provider: 'isolate' },
    ptc: {
      ...base.ptc,
      serviceUrl: undefined,
      mode: 'code',
      mcpServers: { [DEMO_SERVER]: salesServerConfig() },
    },
  };
}

export interface DemoModelOptions {
  /** Scripted reply latency, to watch the tree grow (default 150). */
  latencyMs?: number;
  /** File under `examples/demo/` (default refunds.json). */
  script?: string;
}

export interface DemoModel {
  server: ScriptedModelServer;
  /** The demo's goal. */
  goal: string;
  modelId: string;
  /** `base` pointed at this server. */
  configure(base: RomaConfig): RomaConfig;
  close(): Promise<void>;
}

/** The goal of the task a module is asked about (`Task: <goal>` in the prompt), or a stand-in. */
function taskGoalOf(text: string): string {
  return /Task: (.+)/.exec(text)?.[1]?.trim().slice(0, 300) ?? 'this task';
}

/**
 * Answers for goals the demo's script does not know (a client of `roma serve --demo` or `roma mcp serve --demo`
 * types its own): atomic, with a reply that says plainly it is canned. Matched after the script's own rules.
 */
function demoFallbackRules(latencyMs: number): ScriptedRule[] {
  return [
    {
      name: 'demo fallback: atomizer',
      match: { contains: ['ROMA atomizer.'] },
      reply: {
        json: { atomic: true, reason: 'the demo model answers unknown goals in one step' },
        latencyMs,
      },
    },
    {
      name: 'demo fallback: executor',
      match: { contains: ['ROMA executor'] },
      reply: (request) => ({
        text: `[scripted demo model] No real model is configured, so this is a canned reply for: "${taskGoalOf(request.text)}". Set ANTHROPIC_API_KEY or OPENAI_API_KEY for real answers.`,
        latencyMs,
      }),
    },
    {
      name: 'demo fallback: verifier',
      match: { contains: ['ROMA verifier.'] },
      reply: { json: { passed: true, feedback: '' }, latencyMs },
    },
  ];
}

export async function startDemoModel(options: DemoModelOptions = {}): Promise<DemoModel> {
  const tree = loadDemoTree(options.script);
  const latencyMs = options.latencyMs ?? 150;
  const server = await startScriptedModelServer({
    rules: [...scriptedTreeRules({ ...tree, latencyMs }), ...demoFallbackRules(latencyMs)],
  });
  return {
    server,
    goal: tree.goal,
    modelId: DEMO_MODEL_ID,
    configure: (base) => demoConfig(base, server.openaiBaseUrl),
    close: () => server.close(),
  };
}
