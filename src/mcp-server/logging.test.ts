// A run's warnings reach the MCP client as logging notifications, at the level the client sets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import type { ScriptedModelServer } from '../dev/scripted-model/index.js';
import {
  scriptedLlmConfig,
  scriptedTreeRules,
  startScriptedModelServer,
} from '../dev/scripted-model/index.js';
import { openRuntime, type Runtime } from '../runtime/index.js';
import { parseApiKeys, startApiServer } from '../server/index.js';
import { createMcpHttpHandler } from './index.js';

const GOAL = 'Name the tallest mountain';
const dataDir = mkdtempSync(join(tmpdir(), 'roma-mcp-logging-'));
let model: ScriptedModelServer;
let runtime: Runtime;
let url: string;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // The verifier rejects every answer; with no replans left the run keeps it and records a VERIFICATION_FAILED warning.
  model = await startScriptedModelServer({
    rules: [
      {
        name: 'verifier rejects',
        match: { contains: ['ROMA verifier.'] },
        reply: { json: { passed: false, feedback: 'no height given' } },
      },
      ...scriptedTreeRules({ goal: GOAL, tasks: { [GOAL]: { result: 'EVEREST' } } }),
    ],
  });
  const config = defaultConfig();
  config.llm = scriptedLlmConfig(model);
  config.store.dataDir = dataDir;
  config.cache.enabled = false;
  config.engine.verify = true;
  config.engine.maxReplans = 0;
  runtime = await openRuntime(config, { logName: 'test' });
  const handler = createMcpHttpHandler(runtime, { version: 'test' });
  const server = await startApiServer({
    runtime: {
      store: runtime.store,
      artifacts: runtime.artifacts,
      runs: null as never,
      checkReady: async () => [],
    },
    keys: parseApiKeys(''),
    host: '127.0.0.1',
    port: 0,
    mcp: handler,
    routes: 'mcp',
  });
  url = `${server.url}/mcp`;
  closers.push(
    () => server.close(),
    () => handler.close(),
    () => runtime.close(),
    () => model.close(),
  );
});
afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

async function solveAt(level: 'warning' | 'error'): Promise<string[]> {
  const client = new Client({ name: 'logging-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const messages: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    messages.push(`${notification.params.level}: ${String(notification.params.data)}`);
  });
  try {
    await client.setLoggingLevel(level);
    const result = await client.callTool({ name: 'solve', arguments: { goal: GOAL } });
    expect(JSON.stringify(result.structuredContent)).toContain('EVEREST');
    return messages;
  } finally {
    await client.close();
  }
}

describe('MCP logging notifications', { timeout: 60_000 }, () => {
  it('sends the run warning at level warning, and nothing when the client asked for errors only', async () => {
    const atWarning = await solveAt('warning');
    expect(atWarning.some((line) => line.startsWith('warning: VERIFICATION_FAILED'))).toBe(true);
    expect(await solveAt('error')).toEqual([]);
  });
});
