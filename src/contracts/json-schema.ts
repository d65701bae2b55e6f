// Exports every public contract as a JSON Schema (draft 2020-12) document, for `roma schema export`.
import { z } from 'zod';
import { ApiErrorBodySchema, PtcStatsSchema, SolveRequestSchema } from './api.js';
import { ArtifactSchema } from './artifact.js';
import { StreamEventSchema } from './events.js';
import { ExecutionSummarySchema } from './execution.js';
import { PTCExecutionPlanSchema } from './ptc-plan.js';
import { PTCArtifactResultSchema } from './ptc-result.js';
import { TaskNodeSchema } from './task.js';
import { TokenUsageSchema } from './usage.js';

/** File name (without `.schema.json`) → schema. The order is the order of the files' listing. */
export const PUBLIC_CONTRACTS: Readonly<Record<string, z.ZodType>> = {
  TaskNode: TaskNodeSchema,
  PTCExecutionPlan: PTCExecutionPlanSchema,
  PTCArtifactResult: PTCArtifactResultSchema,
  StreamEvent: StreamEventSchema,
  Artifact: ArtifactSchema,
  TokenUsage: TokenUsageSchema,
  ExecutionSummary: ExecutionSummarySchema,
  SolveRequest: SolveRequestSchema,
  ApiErrorBody: ApiErrorBodySchema,
  PtcStats: PtcStatsSchema,
};

/** The JSON Schema of each contract, keyed by name; `input` form, so defaulted fields are optional. */
export function contractJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of Object.entries(PUBLIC_CONTRACTS)) {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    out[name] = { $id: `https://roma-ptc.dev/schemas/${name}.schema.json`, title: name, ...json };
  }
  return out;
}
