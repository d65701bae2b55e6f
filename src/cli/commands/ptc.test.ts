// The PTC commands through the real `roma` entry point: `tools list`, `ptc serve`, and `solve` with a CODE node.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { smallServerConfig } from '../../../test/support/mcp-servers/index.js';
import { codeReply, conversationRule, startPtcHarness } from '../../../test/support/ptc/harness.js';
import {
  type ScriptedModelServer,
  scriptedTreeRules,
  startScriptedModelServer,
} from '../../dev/scripted-model/index.js';
import { publishTo, startPtcService } from '../../ptc/index.js';
import { closedPort, type SpawnedRoma, spawnRoma } from './cli-test-support.js';

const ROOT_GOAL = 'Report the sum of 20 and 22 using the tools';
const CODE_GOAL = 'Add 20 and 22 with the small server';

let model: ScriptedModelServer;
let directory: string;

function roma(args: string[], timeoutMs: number, env: Record<string, string> = {}): SpawnedRoma {
  return spawnRoma(args, { cwd: directory, env: { SECRET_FOR_SMALL: 'topsecret-4242', ...env }, timeoutMs });
}

beforeAll(async () => {
  model = await startScriptedModelServer({
    rules: [
      conversationRule(CODE_GOAL, [
        codeReply(
          "const sum = await small.add({ a: 20, b: 22 });\nworkspace.writeFile('results/sum.txt', String(sum));\nconsole.log('sum=' + sum);",
        ),
        (report) => ({ text: `FINAL ANSWER: the sum is ${report.match(/sum=(\d+)/)?.[1]}` }),
      ]),
      ...scriptedTreeRules({
        goal: ROOT_GOAL,
        tasks: {
          [ROOT_GOAL]: {
            plan: [{ id: 'add', goal: CODE_GOAL, taskType: 'CODE', dependencies: [] }],
            result: 'The tools say the sum is 42.',
          },
          [CODE_GOAL]: {},
        },
      }),
    ],
  });
  directory = mkdtempSync(join(tmpdir(), 'roma-ptc-cli-'));
  const small = smallServerConfig({ TEST_SECRET: `$\u007bSECRET_FOR_SMALL}` });
  writeFileSync(
    join(directory, 'roma.config.yaml'),
    stringify({
      llm: { model: 'openai:scripted', openaiBaseUrl: model.openaiBaseUrl, openaiApiKey: 'test-key' },
      store: { dataDir: join(directory, '.roma') },
      ptc: { mcpServers: { small } },
    }),
  );
});

afterAll(async () => {
  await model?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('roma PTC commands', () => {
  it('`roma tools list --json` shows servers, status and tools', async () => {
    const run = roma(['tools', 'list', '--json'], 60_000);
    expect((await run.finished).status).toBe(0);
    const listing = JSON.parse(run.output().stdout) as {
      servers: Array<{ name: string; status: string; tools: Array<{ name: string }> }>;
    };
    expect(listing.servers[0]).toMatchObject({ name: 'small', status: 'connected' });
    expect(listing.servers[0]!.tools.map((tool) => tool.name)).toContain('add');
  });

  it('`roma solve` runs a CODE node through the PTC agent', async () => {
    const run = roma(['solve', ROOT_GOAL, '--json'], 90_000);
    const { status: code } = await run.finished;
    const { stdout, stderr } = run.output();
    expect(stderr).not.toContain('topsecret-4242');
    expect(stdout).not.toContain('topsecret-4242');
    if (code !== 0) console.log('SOLVE', stderr.slice(-3000), stdout.slice(-4000));
    expect(code, stderr).toBe(0);
    const events = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['code-execution-start', 'tool-call', 'code-execution-end', 'artifact-created']),
    );
    const codeEnd = events.find(
      (event) =>
        event.type === 'task-end' &&
        event.taskId !== undefined &&
        String(event.result ?? '').includes('the sum is 42'),
    );
    expect(codeEnd).toBeDefined();
    expect(events.find((event) => event.type === 'artifact-created')).toMatchObject({
      artifact: { name: 'sum.txt', bytes: 2 },
    });
  });

  it('`roma solve` with PTC_SERVICE_URL sends the CODE node to the PTC service', async () => {
    const harness = await startPtcHarness({
      servers: { small: smallServerConfig() },
      rules: [
        conversationRule(CODE_GOAL, [
          codeReply("console.log('remote sum=' + (await small.add({ a: 40, b: 2 })));"),
          (report) => ({ text: `FINAL ANSWER: the sum is ${report.match(/remote sum=(\d+)/)?.[1]}` }),
        ]),
      ],
    });
    const service = await startPtcService({ agent: harness.agent, tools: harness.manager, port: 0 });
    harness.deps.onEvent = publishTo(service.hub);
    try {
      const run = roma(['solve', ROOT_GOAL, '--json'], 90_000, { PTC_SERVICE_URL: service.url });
      const { status: code } = await run.finished;
      expect(code, run.output().stderr).toBe(0);
      const events = run
        .output()
        .stdout.split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
      expect(events.map((event) => event.type)).toEqual(
        expect.arrayContaining(['code-execution-end', 'tool-call']),
      );
      expect(
        events.some(
          (event) => event.type === 'task-end' && String(event.result ?? '').includes('the sum is 42'),
        ),
      ).toBe(true);
      expect(harness.agent.stats().executions).toBe(1);
    } finally {
      await service.close();
      await harness.close();
    }
  });

  it('`roma ptc serve` answers /health and /stats', async () => {
    const port = await closedPort();
    const run = roma(['ptc', 'serve', '--port', String(port)], 60_000);
    try {
      for (let attempt = 0; attempt < 200 && !run.output().stdout.includes('listening'); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(run.output().stdout).toContain(`listening on http://127.0.0.1:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) });
      expect(await health.json()).toMatchObject({
        status: 'ok',
        servers: [{ name: 'small', status: 'connected' }],
      });
      const stats = await fetch(`http://127.0.0.1:${port}/stats`, { signal: AbortSignal.timeout(5_000) });
      expect(await stats.json()).toMatchObject({ executions: 0, cacheHits: 0 });
    } finally {
      run.child.kill('SIGTERM');
      await run.finished;
    }
  });
});
