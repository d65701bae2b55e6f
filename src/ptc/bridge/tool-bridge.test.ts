// The host side of guest tool calls, driven as hostile guest code would drive it.
import { describe, expect, it } from 'vitest';
import type { NewStreamEvent, ToolCallRecord } from '../../contracts/index.js';
import type { ToolCallOutput, ToolProvider } from '../mcp/types.js';
import type { ToolCatalog } from '../modules/tool-catalog.js';
import { CALL_TOOL_FUNCTION } from '../modules/typescript-module.js';
import { DEFAULT_MAX_TOOL_CALLS, DEFAULT_MAX_TOOL_CALLS_IN_FLIGHT } from './call-gate.js';
import { createToolHostFunctions } from './tool-bridge.js';

/** A provider of the one server `data` whose calls `callTool` answers. */
function dataServer(callTool: ToolProvider['callTool']): ToolProvider {
  return {
    serverNames: () => ['data'],
    listTools: async () => [],
    callTool,
    status: () => [],
    redact: (text) => text,
    close: async () => undefined,
  };
}

/** The guest's call-tool host function over `provider`, the plan's catalog holding `tools` of `data`. */
function hostCall(provider: ToolProvider, tools: string[]) {
  const events: NewStreamEvent[] = [];
  const records: ToolCallRecord[] = [];
  const catalog: ToolCatalog = {
    servers: [
      {
        name: 'data',
        identifier: 'data',
        tools: tools.map((name) => ({
          server: 'data',
          name,
          description: '',
          inputSchema: { type: 'object' },
        })),
      },
    ],
  };
  const functions = createToolHostFunctions({
    provider,
    catalog,
    executionId: 'e',
    taskId: 't',
    planId: 'p',
    emit: (event) => {
      events.push(event);
    },
    records,
  });
  return { call: functions[CALL_TOOL_FUNCTION]!, events, records };
}

function setup(errorText = 'boom') {
  const calls: string[] = [];
  const provider = dataServer(async (server, tool): Promise<ToolCallOutput> => {
    calls.push(`${server}.${tool}`);
    if (tool === 'fail') throw new Error(errorText);
    return { value: { ok: true }, text: '{"ok":true}', bytes: 11 };
  });
  return { ...hostCall(provider, ['search', 'fail']), calls };
}

describe('tool bridge', () => {
  it("refuses tools outside the plan's catalog before they reach the server", async () => {
    const { call, calls } = setup();
    await expect(call('data', 'delete_everything', {})).rejects.toThrow(/not in this plan's tools/);
    await expect(call('other', 'search', {})).rejects.toThrow(/not in this plan's tools/);
    await expect(call('data', 'search', [] as never)).rejects.toThrow(/arguments must be one object/);
    expect(await call('data', 'search', {})).toEqual({ ok: true });
    expect(calls).toEqual(['data.search']);
  });

  it('keeps guest-chosen names and server error text bounded in records and events', async () => {
    const { call, events, records } = setup('e'.repeat(1_000_000));
    const huge = 'x'.repeat(1_000_000);
    await expect(call(huge, huge, {})).rejects.toThrow(/not in this plan's tools/);
    await expect(call('data', 'fail', {})).rejects.toThrow();
    const stored = JSON.stringify({ events, records });
    expect(stored.length).toBeLessThan(20_000);
    expect(records).toHaveLength(2);
  });
});

describe('tool bridge bounds', () => {
  it('counts calls when they start and caps calls in flight: one Promise.all of 5,000 calls', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let reached = 0;
    const waiting: Array<() => void> = [];
    const provider = dataServer(async (): Promise<ToolCallOutput> => {
      reached += 1;
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight -= 1;
      return { value: 1, text: '1', bytes: 1 };
    });
    const { call, events, records } = hostCall(provider, ['search']);
    const outcomes = Array.from({ length: 5_000 }, () =>
      call('data', 'search', {}).then(
        () => 'ok',
        (error: Error) => error.message,
      ),
    );
    // Let every call start; then release the server's calls one wave at a time.
    for (let round = 0; round < 2_000 && reached < 1_000; round += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const resolve of waiting.splice(0)) resolve();
    }
    const settled = await Promise.all(outcomes);
    // The cap is reached (calls do overlap) and never passed; the figure is the documented one, not just the constant.
    expect(DEFAULT_MAX_TOOL_CALLS_IN_FLIGHT).toBe(16);
    expect(mostInFlight).toBe(16);
    expect(reached).toBe(DEFAULT_MAX_TOOL_CALLS);
    expect(settled.filter((outcome) => outcome === 'ok')).toHaveLength(DEFAULT_MAX_TOOL_CALLS);
    expect(settled.filter((outcome) => /more than 1000 tool calls/.test(outcome))).toHaveLength(4_000);
    // The refused calls are one record, not 4,000.
    expect(records).toHaveLength(DEFAULT_MAX_TOOL_CALLS + 1);
    expect(events).toHaveLength(DEFAULT_MAX_TOOL_CALLS + 1);
  });
});
