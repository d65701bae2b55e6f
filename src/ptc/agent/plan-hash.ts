// The cache identity of a plan: what it asks for, not which run or task asked (ids and cache policy left out).
import { createHash } from 'node:crypto';
import type { PTCExecutionPlan } from '../../contracts/index.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = canonical(member);
    }
    return out;
  }
  return value;
}

/** SHA-256 of the canonical JSON of the parts of the plan that change the answer, plus the agent's mode. */
export function planHash(plan: PTCExecutionPlan, mode: string): string {
  const identity = {
    version: 1,
    mode,
    goal: plan.goal,
    context: plan.context.map((entry) => ({ goal: entry.goal, result: entry.result })),
    language: plan.language,
    tools: plan.tools,
    sandbox: plan.sandbox.provider,
    limits: plan.limits,
    enableTesting: plan.enableTesting,
    model: plan.model ?? null,
    feedback: plan.metadata.feedback ?? null,
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(identity)))
    .digest('hex');
}

/** The cache key; a Redis store adds its `roma:` prefix, giving `roma:ptc:v1:<hash>`. */
export function planCacheKey(plan: PTCExecutionPlan, mode: string): string {
  return `ptc:v1:${planHash(plan, mode)}`;
}
