// Host side of sandboxed tool calls: the guest's host-function call becomes an MCP call by the host's client.

import { redactJsonValue } from '../../config/secrets.js';
import type { CodeLanguage, NewStreamEvent, ToolCallRecord } from '../../contracts/index.js';
import { RomaError, truncationMarker } from '../../contracts/index.js';
import type { HostFunctions, JsonValue } from '../../sandbox/sandbox.js';
import type { Sampler, ToolContentPart, ToolProvider } from '../mcp/types.js';
import { compactToolDoc, FULL_DOC_DETAIL } from '../modules/compact-tool-doc.js';
import { toIdentifier } from '../modules/identifiers.js';
import { resolveTool, type ToolCatalog } from '../modules/tool-catalog.js';
import { toolDoc } from '../modules/tool-docs.js';
import { searchTools } from '../modules/tool-search.js';
import {
  CALL_TOOL_FUNCTION,
  READ_TOOL_DOC_FUNCTION,
  SEARCH_TOOLS_FUNCTION,
} from '../modules/typescript-module.js';
import { ToolCallGate } from './call-gate.js';
import { type BinaryFileSink, createResourceHostFunctions } from './resource-functions.js';

export interface ToolBridgeOptions {
  provider: ToolProvider | undefined;
  catalog: ToolCatalog;
  executionId: string;
  taskId: string | null;
  planId: string | null;
  emit: (event: NewStreamEvent) => Promise<void> | void;
  signal?: AbortSignal;
  /** Every call is appended here (the result's `toolCalls`). */
  records: ToolCallRecord[];
  /**
   * Counts calls when they start and caps calls in flight (a runaway loop or one `Promise.all` of thousands
   * cannot flood a server); one per session. Absent: one is made per options object.
   */
  gate?: ToolCallGate;
  /** The plan's language: `readToolDoc` answers with the short doc in it (TypeScript when absent). */
  language?: CodeLanguage;
  /** Where `saveBase64` writes binary results (absent: saving is refused). */
  sink?: BinaryFileSink;
  /** Answers the servers' sampling requests during these calls (absent: they are refused). */
  sample?: Sampler;
}

const defaultGates = new WeakMap<ToolBridgeOptions, ToolCallGate>();

function gateOf(options: ToolBridgeOptions): ToolCallGate {
  if (options.gate) return options.gate;
  let gate = defaultGates.get(options);
  if (!gate) {
    gate = new ToolCallGate();
    defaultGates.set(options, gate);
  }
  return gate;
}
/**
 * Bound on the server/tool names and error text kept in a call's record and event: guest code chooses the
 * names (an unknown 8 MB name is still recorded) and a server its error text, and both land in the store.
 */
const MAX_RECORDED_NAME_CHARS = 200;
const MAX_RECORDED_ERROR_CHARS = 2_000;
/** Notices (progress, logs, declined requests) of one call that become events. */
const MAX_NOTICES_PER_CALL = 20;

function bounded(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : text.slice(0, maxChars) + truncationMarker(text.length - maxChars);
}

function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Tool values are parsed JSON or structured content already; the sandbox copies them as JSON on the way in. */
function toJsonValue(value: unknown): JsonValue {
  return value === undefined ? null : (value as JsonValue);
}

/** Runs one tool call for guest code and records it; shared by code mode and direct mode. */
export async function callToolRecorded(
  options: ToolBridgeOptions,
  server: string,
  tool: string,
  args: Record<string, unknown>,
): Promise<{ value: unknown; text: string; content: ToolContentPart[] }> {
  const started = performance.now();
  const gate = gateOf(options);
  const record = async (ok: boolean, resultBytes: number, fullError?: string) => {
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const names = {
      server: bounded(server, MAX_RECORDED_NAME_CHARS),
      tool: bounded(tool, MAX_RECORDED_NAME_CHARS),
    };
    const error = fullError === undefined ? undefined : bounded(fullError, MAX_RECORDED_ERROR_CHARS);
    options.records.push({ ...names, durationMs, ok, resultBytes, ...(error ? { error } : {}) });
    await options.emit({
      type: 'tool-call',
      executionId: options.executionId,
      timestamp: new Date().toISOString(),
      taskId: options.taskId,
      planId: options.planId,
      ...names,
      durationMs,
      ok,
      resultBytes,
      ...(error ? { error } : {}),
    });
  };
  let release: (() => void) | undefined;
  let recorded = true;
  try {
    try {
      release = await gate.enter(options.signal);
    } catch (error) {
      // Past the bound only the first refusal is recorded: a loop of refused calls must not grow the store.
      if (error instanceof RomaError && error.code === 'TOOL_FAILED') recorded = gate.firstRefusal();
      throw error;
    }
    const resolved = resolveTool(options.catalog, server, tool);
    if (!options.provider || !resolved) {
      throw new RomaError(
        'TOOL_FAILED',
        `unknown tool ${bounded(server, MAX_RECORDED_NAME_CHARS)}.${bounded(tool, MAX_RECORDED_NAME_CHARS)} (not in this plan's tools)`,
      );
    }
    const provider = options.provider;
    let notices = 0;
    const output = await provider.callTool(resolved.server.name, resolved.tool.name, args, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.sample ? { sample: options.sample } : {}),
      // A server chooses how often it notifies: only the first notices of a call become events.
      onNotice: (notice) => {
        notices += 1;
        if (notices > MAX_NOTICES_PER_CALL) return;
        const message = 'message' in notice && notice.message ? notice.message : '';
        void Promise.resolve(
          options.emit({
            type: 'tool-notice',
            executionId: options.executionId,
            timestamp: new Date().toISOString(),
            taskId: options.taskId,
            planId: options.planId,
            server: bounded(resolved.server.name, MAX_RECORDED_NAME_CHARS),
            tool: bounded(resolved.tool.name, MAX_RECORDED_NAME_CHARS),
            kind: notice.kind,
            ...(notice.kind === 'log' ? { level: notice.level.slice(0, 20) } : {}),
            ...(notice.kind === 'progress'
              ? { progress: notice.progress, ...(notice.total === undefined ? {} : { total: notice.total }) }
              : {}),
            message: provider.redact(message).slice(0, 1_000),
          }),
        ).catch(() => undefined);
      },
    });
    release();
    await record(true, output.bytes);
    // A server may echo its environment or headers: the guest (and the model, in direct mode) never sees them.
    const redact = (text: string) => options.provider?.redact(text) ?? text;
    return {
      value: redactJsonValue(output.value, redact),
      text: redact(output.text),
      content: redactJsonValue(output.content ?? [], redact),
    };
  } catch (error) {
    release?.();
    const message = options.provider
      ? options.provider.redact((error as Error).message)
      : (error as Error).message;
    if (recorded) await record(false, 0, message);
    throw new Error(message);
  }
}

/**
 * The host functions given to the sandbox session: `__romaCallTool(server, tool, args)` (what the generated
 * modules call) and `readToolDoc(server, tool, detail?)` (the short doc; `'full'`: with the JSON Schemas). A thrown Error here reaches guest code as an exception with
 * the same message; no credential is in any argument or result.
 */
export function createToolHostFunctions(options: ToolBridgeOptions): HostFunctions {
  return {
    [CALL_TOOL_FUNCTION]: async (server, tool, args) => {
      if (typeof server !== 'string' || typeof tool !== 'string') {
        throw new Error(`${CALL_TOOL_FUNCTION}(server, tool, args): server and tool must be strings`);
      }
      const input = args === undefined || args === null ? {} : args;
      if (!isJsonObject(input)) throw new Error(`${server}.${tool}: arguments must be one object`);
      const { value } = await callToolRecorded(options, server, tool, input);
      return toJsonValue(value);
    },
    [READ_TOOL_DOC_FUNCTION]: async (server, tool, detail) => {
      // By the identifier the prompt shows (`get_sum`) or the server's raw name (`get-sum`).
      const resolved = resolveTool(options.catalog, server, tool);
      if (!resolved) {
        const known = options.catalog.servers
          .map((entry) => `${entry.name}: ${entry.tools.map((t) => toIdentifier(t.name)).join(', ')}`)
          .join('; ');
        throw new Error(
          `no tool ${bounded(String(server), MAX_RECORDED_NAME_CHARS)}.${bounded(String(tool), MAX_RECORDED_NAME_CHARS)} (known: ${bounded(known || 'none', MAX_RECORDED_ERROR_CHARS)})`,
        );
      }
      return detail === FULL_DOC_DETAIL
        ? toolDoc(resolved.server, resolved.tool)
        : compactToolDoc(resolved.server, resolved.tool, options.language ?? 'typescript');
    },
    [SEARCH_TOOLS_FUNCTION]: async (query, limit) => {
      if (typeof query !== 'string') throw new Error('searchTools(query, limit?): query must be a string');
      const hits = searchTools(options.catalog, query, typeof limit === 'number' ? limit : undefined);
      return hits as unknown as JsonValue;
    },
    ...createResourceHostFunctions({
      provider: options.provider,
      catalog: options.catalog,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.sink ? { sink: options.sink } : {}),
    }),
  };
}
