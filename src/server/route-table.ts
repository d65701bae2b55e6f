// Every route of the API in one table: the OpenAPI document is generated from it and a test checks the app against it.
import { z } from 'zod';
import {
  ApiErrorBodySchema,
  ArtifactSchema,
  CancelExecutionRequestSchema,
  ExecutionAcceptedSchema,
  ExecutionSummarySchema,
  ResumeExecutionRequestSchema,
  StartExecutionRequestSchema,
  StreamEventSchema,
  TaskNodeSchema,
  TokenUsageSchema,
} from '../contracts/index.js';

export const API_PREFIX = '/api/v1';

interface ApiRoute {
  method: 'get' | 'post';
  /** OpenAPI form: `/api/v1/executions/{id}`. */
  path: string;
  summary: string;
  /** Needs an API key when the server has keys. */
  auth: boolean;
  query?: Record<string, { description: string; schema: Record<string, unknown> }>;
  body?: z.ZodType;
  /** Success status → body schema (null: not JSON, described by `contentType`). */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const ListResponse = z.object({
  items: z.array(ExecutionSummarySchema),
  limit: z.number().int(),
  offset: z.number().int(),
  next: z.string().nullable(),
});
const EventsResponse = z.object({
  events: z.array(StreamEventSchema),
  lastSeq: z.number().int(),
  next: z.string().nullable(),
});
const TreeResponse = z.object({
  executionId: z.string(),
  goal: z.string().nullable(),
  rootTaskId: z.string().nullable(),
  seq: z.number().int(),
  nodes: z.array(TaskNodeSchema),
});
const ArtifactListing = z.object({
  artifacts: z.array(
    ArtifactSchema.omit({ uri: true }).extend({ taskId: z.string().nullable(), download: z.string() }),
  ),
});
const CostLineSchema = z.object({
  calls: z.number().int(),
  cacheHits: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  costUsd: z.number(),
  savedCostUsd: z.number(),
});
const CostsResponse = z.object({
  total: CostLineSchema,
  byModel: z.record(z.string(), CostLineSchema),
  byModule: z.record(z.string(), CostLineSchema),
  usage: TokenUsageSchema,
});
const LlmCallsResponse = z.object({ calls: z.array(StreamEventSchema) });
const ExecutionResponse = ExecutionSummarySchema.extend({ links: z.record(z.string(), z.string()) });
const HealthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  demo: z.boolean(),
  demoGoal: z.string().optional(),
  authRequired: z.boolean(),
});
const ReadyResponse = z.object({
  ready: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
});

const idPath = `${API_PREFIX}/executions/{id}`;
const afterQuery = {
  after: { description: 'only events with seq greater than this', schema: { type: 'integer', minimum: 0 } },
};

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: `${API_PREFIX}/executions`,
    summary: 'Start a run',
    auth: true,
    body: StartExecutionRequestSchema,
    responses: { 202: { description: 'accepted: the run is starting', schema: ExecutionAcceptedSchema } },
  },
  {
    method: 'get',
    path: `${API_PREFIX}/executions`,
    summary: 'List runs, newest first',
    auth: true,
    query: {
      limit: { description: 'page size (1–500)', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      offset: { description: 'runs to skip', schema: { type: 'integer', minimum: 0 } },
      status: { description: 'only runs with this status', schema: { type: 'string' } },
    },
    responses: { 200: { description: 'a page of runs', schema: ListResponse } },
  },
  {
    method: 'get',
    path: idPath,
    summary: 'A run',
    auth: true,
    responses: { 200: { description: 'the run summary', schema: ExecutionResponse } },
  },
  {
    method: 'get',
    path: `${idPath}/tree`,
    summary: 'The task tree (a fold of the log, optionally up to a seq)',
    auth: true,
    query: {
      seq: { description: 'fold the log only up to this seq', schema: { type: 'integer', minimum: 0 } },
    },
    responses: { 200: { description: 'the tree', schema: TreeResponse } },
  },
  {
    method: 'get',
    path: `${idPath}/events`,
    summary: 'Stored events after a seq',
    auth: true,
    query: {
      ...afterQuery,
      limit: { description: 'page size (1–10000)', schema: { type: 'integer', minimum: 1, maximum: 10_000 } },
    },
    responses: { 200: { description: 'a page of events', schema: EventsResponse } },
  },
  {
    method: 'get',
    path: `${idPath}/stream`,
    summary: 'Live events (stored after `after`, then live): WebSocket upgrade, or SSE',
    auth: true,
    query: afterQuery,
    responses: { 200: { description: 'an SSE stream (`id:` is the seq)', contentType: 'text/event-stream' } },
  },
  {
    method: 'post',
    path: `${idPath}/cancel`,
    summary: 'Cancel a running run',
    auth: true,
    body: CancelExecutionRequestSchema,
    responses: { 202: { description: 'cancel requested', schema: ExecutionAcceptedSchema } },
  },
  {
    method: 'post',
    path: `${idPath}/resume`,
    summary: 'Continue a stopped, failed or cancelled run',
    auth: true,
    body: ResumeExecutionRequestSchema,
    responses: { 202: { description: 'resuming', schema: ExecutionAcceptedSchema } },
  },
  {
    method: 'get',
    path: `${idPath}/artifacts`,
    summary: 'Artifacts of a run',
    auth: true,
    responses: { 200: { description: 'the artifacts', schema: ArtifactListing } },
  },
  {
    method: 'get',
    path: `${idPath}/artifacts/{name}`,
    summary: 'Download an artifact (X-Content-SHA256 carries its digest)',
    auth: true,
    query: {
      taskId: { description: 'the task that made it, when names repeat', schema: { type: 'string' } },
    },
    responses: { 200: { description: 'the bytes', contentType: 'application/octet-stream' } },
  },
  {
    method: 'get',
    path: `${idPath}/costs`,
    summary: 'Cost and tokens per model and per module',
    auth: true,
    responses: { 200: { description: 'the breakdown', schema: CostsResponse } },
  },
  {
    method: 'get',
    path: `${idPath}/llm-calls`,
    summary: 'Model calls of a run',
    auth: true,
    responses: { 200: { description: 'llm-call events', schema: LlmCallsResponse } },
  },
  {
    method: 'get',
    path: `${idPath}/export`,
    summary: 'The event log as JSON lines (for `roma runs import`)',
    auth: true,
    responses: { 200: { description: 'JSONL', contentType: 'application/x-ndjson' } },
  },
  {
    method: 'get',
    path: '/health',
    summary: 'Liveness',
    auth: false,
    responses: { 200: { description: 'alive', schema: HealthResponse } },
  },
  {
    method: 'get',
    path: '/ready',
    summary: 'Readiness: store, cache and sandbox checked',
    auth: true,
    responses: {
      200: { description: 'ready', schema: ReadyResponse },
      503: { description: 'not ready', schema: ReadyResponse },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    auth: true,
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: false,
    responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'API reference page',
    auth: false,
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },
];

export const ERROR_RESPONSE_SCHEMA = ApiErrorBodySchema;
