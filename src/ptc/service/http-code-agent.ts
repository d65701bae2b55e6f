// The PTC service's client: the same CodeAgent contract as the in-process agent, over HTTP and WebSocket.
import WebSocket from 'ws';
import { z } from 'zod';
import type {
  CodeAgentExecuteOptions,
  NewStreamEvent,
  PTCArtifactResult,
  PTCExecutionPlan,
  PtcStats,
} from '../../contracts/index.js';
import {
  ApiErrorBodySchema,
  ERROR_CODES,
  type ErrorCode,
  PTCArtifactResultSchema,
  PtcStatsSchema,
  parseJsonWith,
  RomaError,
} from '../../contracts/index.js';
import type { PtcAgent } from '../agent/ptc-agent.js';
import { PTC_EVENTS_PATH } from './ptc-service.js';

interface HttpCodeAgentOptions {
  /** Bound on one execution, beyond the plan's own limits. */
  timeoutMs?: number;
  /** How long to wait for the event stream to confirm it is complete after the result arrived. */
  streamDrainMs?: number;
  /** The service's bearer key (`ptc.serviceApiKey`), sent on every request. */
  apiKey?: string | undefined;
}

const StreamMessageSchema = z.looseObject({
  type: z.string(),
  executionId: z.string().optional(),
  planId: z.string().optional(),
});
const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_DRAIN_MS = 2_000;
const OPEN_TIMEOUT_MS = 5_000;

function errorCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'PTC_FAILED';
}

async function errorFrom(response: Response): Promise<RomaError> {
  const text = await response.text();
  const parsed = parseJsonWith(ApiErrorBodySchema, text, 'PTC service error');
  if (parsed.ok) {
    const { code, message, field } = parsed.value.error;
    return new RomaError(errorCode(code), message, {
      ...(field ? { field } : {}),
      details: { status: response.status },
    });
  }
  return new RomaError('PTC_FAILED', `PTC service answered ${response.status}: ${text.slice(0, 200)}`, {
    retryable: response.status >= 500,
  });
}

/** Opens the event stream of one execution and resolves once the server confirmed the subscription. */
function openStream(
  baseUrl: string,
  plan: PTCExecutionPlan,
  headers: Record<string, string>,
  onEvent: (event: NewStreamEvent) => void,
): Promise<{ done: Promise<void>; close: () => void }> {
  const url = new URL(PTC_EVENTS_PATH, baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('executionId', plan.executionId);
  url.searchParams.set('taskId', plan.taskId);
  const socket = new WebSocket(url, { headers });
  let markDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    markDone = resolve;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new RomaError('PTC_FAILED', 'the PTC event stream did not open in time', { retryable: true }));
    }, OPEN_TIMEOUT_MS);
    socket.on('message', (data) => {
      const parsed = parseJsonWith(StreamMessageSchema, String(data), 'PTC event');
      if (!parsed.ok) return;
      if (parsed.value.type === 'ptc-stream-open') {
        clearTimeout(timer);
        resolve({ done, close: () => socket.close() });
      } else if (parsed.value.type === 'ptc-execution-done') {
        if (parsed.value.planId === plan.planId) markDone();
      } else onEvent(parsed.value as unknown as NewStreamEvent);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      markDone();
      reject(new RomaError('PTC_FAILED', `PTC event stream: ${error.message}`, { retryable: true }));
    });
    socket.on('close', () => markDone());
  });
}

/** A CodeAgent that runs plans on a PTC service (`PTC_SERVICE_URL`), forwarding its events to `emit`. */
export function createHttpCodeAgent(
  baseUrl: string,
  options: HttpCodeAgentOptions = {},
): PtcAgent & {
  fetchStats(signal?: AbortSignal): Promise<PtcStats>;
} {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const drainMs = options.streamDrainMs ?? DEFAULT_DRAIN_MS;
  const authorization: Record<string, string> = options.apiKey
    ? { authorization: `Bearer ${options.apiKey}` }
    : {};
  const seen: PtcStats = {
    executions: 0,
    cacheHits: 0,
    failures: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };

  async function execute(
    plan: PTCExecutionPlan,
    execution: CodeAgentExecuteOptions,
  ): Promise<PTCArtifactResult> {
    const pending: Array<Promise<void> | void> = [];
    const stream = await openStream(baseUrl, plan, authorization, (event) => {
      pending.push(execution.emit(event));
    });
    try {
      let response: Response;
      try {
        response = await fetch(new URL('/execute', baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authorization },
          body: JSON.stringify(plan),
          signal: AbortSignal.any([execution.signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error) {
        if (execution.signal.aborted) throw new RomaError('CANCELLED', 'the PTC execution was cancelled');
        throw new RomaError(
          'PTC_FAILED',
          `PTC service unreachable at ${baseUrl}: ${(error as Error).message}`,
          {
            retryable: true,
            fix: 'start it with `roma ptc serve` or unset PTC_SERVICE_URL to run PTC in process',
          },
        );
      }
      if (!response.ok) throw await errorFrom(response);
      const parsed = parseJsonWith(PTCArtifactResultSchema, await response.text(), 'PTC result');
      if (!parsed.ok) throw new RomaError('PTC_FAILED', parsed.message);
      // Events travel on the socket; wait (bounded) until the server says this plan's stream is complete.
      await Promise.race([stream.done, new Promise((resolve) => setTimeout(resolve, drainMs))]);
      await Promise.all(pending);
      const result = parsed.value;
      seen.executions += 1;
      if (result.status === 'CACHE_HIT') seen.cacheHits += 1;
      if (result.status === 'FAILURE' || result.status === 'TIMEOUT') seen.failures += 1;
      seen.inputTokens += result.usage.inputTokens;
      seen.outputTokens += result.usage.outputTokens;
      seen.costUsd += result.usage.costUsd;
      return result;
    } finally {
      stream.close();
    }
  }

  async function fetchStats(signal?: AbortSignal): Promise<PtcStats> {
    const response = await fetch(new URL('/stats', baseUrl), {
      headers: authorization,
      signal: signal ?? AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw await errorFrom(response);
    const parsed = parseJsonWith(PtcStatsSchema, await response.text(), 'PTC stats');
    if (!parsed.ok) throw new RomaError('PTC_FAILED', parsed.message);
    return parsed.value;
  }

  // The service owns its cache; a client has nothing of its own to flush.
  return { execute, stats: () => ({ ...seen }), fetchStats, flush: async () => {} };
}
