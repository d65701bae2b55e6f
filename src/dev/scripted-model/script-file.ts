// Loads a scripted-model script (YAML or JSON file of static rules), checked by a zod schema.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseWith, RomaError } from '../../contracts/index.js';
import { ScriptedTreeSchema, scriptedTreeRules } from './scripted-tree.js';
import type { ScriptedRule } from './types.js';

const ScriptedMatchSchema = z
  .object({
    contains: z.union([z.string(), z.array(z.string())]).optional(),
    regex: z.string().optional(),
    provider: z.enum(['openai', 'anthropic']).optional(),
    model: z.string().optional(),
  })
  .strict();

const ScriptedReplySchema = z
  .object({
    text: z.string().optional(),
    json: z.unknown().optional(),
    toolCalls: z
      .array(z.object({ name: z.string().min(1), args: z.unknown(), id: z.string().optional() }).strict())
      .optional(),
    usage: z
      .object({
        inputTokens: z.number().int().nonnegative(),
        outputTokens: z.number().int().nonnegative(),
        cachedInputTokens: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    latencyMs: z.number().nonnegative().optional(),
    chunkDelayMs: z.number().nonnegative().optional(),
    status: z.number().int().min(400).max(599).optional(),
    errorBody: z.unknown().optional(),
    retryAfterMs: z.number().nonnegative().nullable().optional(),
  })
  .strict();

const ScriptedRuleSchema = z
  .object({
    name: z.string().optional(),
    match: ScriptedMatchSchema.optional(),
    reply: ScriptedReplySchema,
    times: z.number().int().positive().optional(),
  })
  .strict();

const ScriptFileSchema = z
  .object({
    latencyMs: z.number().nonnegative().optional(),
    rules: z.array(ScriptedRuleSchema).min(1),
  })
  .strict();

interface ScriptFile {
  latencyMs?: number;
  rules: ScriptedRule[];
  /** Set for a task-tree script (`examples/demo/*.json`): the goal its tree answers. */
  goal?: string;
}

/** A task tree (`{ goal, tasks }`, the demo's format) instead of rules. */
function isTreeScript(value: unknown): value is { tasks: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'tasks' in value;
}

function treeScript(value: unknown, label: string): ScriptFile {
  const parsed = parseWith(ScriptedTreeSchema, value, label);
  if (!parsed.ok) {
    const first = parsed.issues[0]?.path;
    throw new RomaError('VALIDATION_FAILED', parsed.message, {
      field: first ? `${label}.${first}` : label,
      fix: 'see examples/demo/sky.json',
      details: { issues: parsed.issues },
    });
  }
  return { rules: scriptedTreeRules(parsed.value), goal: parsed.value.goal };
}

/** Parses script text; `format` is taken from the file name by `loadScriptFile`. */
export function parseScript(text: string, format: 'yaml' | 'json', label = 'script'): ScriptFile {
  let value: unknown;
  try {
    // YAML is a superset of JSON, but JSON.parse gives the clearer message for a .json file.
    value = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new RomaError(
      'VALIDATION_FAILED',
      `${label}: not valid ${format.toUpperCase()}: ${(error as Error).message}`,
      {
        field: label,
      },
    );
  }
  if (isTreeScript(value)) return treeScript(value, label);
  // A bare list of rules is accepted as well.
  const shaped = Array.isArray(value) ? { rules: value } : value;
  const parsed = parseWith(ScriptFileSchema, shaped, label);
  if (!parsed.ok) {
    const first = parsed.issues[0]?.path;
    throw new RomaError('VALIDATION_FAILED', parsed.message, {
      field: first ? `${label}.${first}` : label,
      fix: 'see examples/scripted-model.example.yaml',
      details: { issues: parsed.issues },
    });
  }
  const script: ScriptFile = { rules: parsed.value.rules as ScriptedRule[] };
  if (parsed.value.latencyMs !== undefined) script.latencyMs = parsed.value.latencyMs;
  return script;
}

export function loadScriptFile(path: string): ScriptFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RomaError('NOT_FOUND', `cannot read script ${path}: ${(error as Error).message}`, {
      field: 'script',
    });
  }
  return parseScript(text, /\.json$/i.test(path) ? 'json' : 'yaml', path);
}
