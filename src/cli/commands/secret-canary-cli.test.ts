// Secret canaries through the real `roma` command: the LLM key, MCP env values and an MCP header, echoed by
// hostile servers and printed, thrown and written by the program, appear nowhere a user or provider can see —
// stdout, stderr (logs), the store's files, the JSONL export, artifacts, requests the model server received.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type HttpMcpServer, startLeakyHttpMcpServer } from '../../../test/support/mcp-servers/index.js';
import {
  CANARIES,
  CANARY_HEADER_TOKEN,
  CANARY_LLM_KEY,
  canaryHostEnv,
  canaryServers,
  filesUnder,
  LEAKING_PROGRAM,
  THROWING_PROGRAM,
} from '../../../test/support/mcp-servers/secret-canaries.js';
import { codeReply, conversationRule, finalAnswerFrom } from '../../../test/support/ptc/harness.js';
import {
  type ScriptedModelServer,
  scriptedTreeRules,
  startScriptedModelServer,
} from '../../dev/scripted-model/index.js';
import { type SpawnedRoma, spawnRoma } from './cli-test-support.js';

const ROOT_GOAL = 'Audit the configuration of the leaky servers';
const CODE_GOAL = 'Print what the leaky servers report';
const FAILING_GOAL = 'Fail with a model error that quotes the key';

let model: ScriptedModelServer;
let web: HttpMcpServer;
let directory: string;

function roma(args: string[], timeoutMs: number): SpawnedRoma {
  return spawnRoma(args, {
    cwd: directory,
    // roma itself reads DATABASE_URL (its store): the server's value comes from another host variable.
    env: { ...canaryHostEnv('APP_DATABASE_URL'), ROMA_LOG_LEVEL: 'debug' },
    timeoutMs,
  });
}

beforeAll(async () => {
  web = await startLeakyHttpMcpServer();
  model = await startScriptedModelServer({
    rules: [
      // The provider refuses the key and quotes it back (as OpenAI's 401 body does).
      {
        name: 'canary-401',
        match: { contains: [FAILING_GOAL] },
        reply: {
          status: 401,
          errorBody: {
            error: {
              message: `Incorrect API key provided: ${CANARY_LLM_KEY}.`,
              type: 'invalid_request_error',
            },
          },
        },
      },
      conversationRule(CODE_GOAL, [
        codeReply(LEAKING_PROGRAM),
        // The program throws what it got, and then the model repeats everything it read.
        codeReply(THROWING_PROGRAM),
        finalAnswerFrom(),
      ]),
      ...scriptedTreeRules({
        goal: ROOT_GOAL,
        tasks: {
          [ROOT_GOAL]: {
            plan: [{ id: 'audit', goal: CODE_GOAL, taskType: 'CODE', dependencies: [] }],
            result: 'Audited.',
          },
          [CODE_GOAL]: {},
        },
      }),
    ],
  });
  directory = mkdtempSync(join(tmpdir(), 'roma-canary-cli-'));
  writeFileSync(
    join(directory, 'roma.config.yaml'),
    stringify({
      llm: { model: 'openai:scripted', openaiBaseUrl: model.openaiBaseUrl, openaiApiKey: CANARY_LLM_KEY },
      store: { dataDir: join(directory, '.roma') },
      ptc: {
        mcpServers: canaryServers(web, 'APP_DATABASE_URL'),
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await model?.close();
  await web?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

/** The run a `roma solve --json` started, from its execution-start line. */
function startedRunId(stdout: string): string | undefined {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { type: string; executionId?: string })
    .find((event) => event.type === 'execution-start')?.executionId;
}

describe('secret canaries (roma solve)', () => {
  it('leaves zero occurrences in stdout, stderr, the store, the export, artifacts and model requests', async () => {
    const solve = roma(['solve', ROOT_GOAL, '--json'], 120_000);
    const { status: code } = await solve.finished;
    const { stdout, stderr } = solve.output();
    expect(code, stderr.slice(-2_000)).toBe(0);
    // Positive controls: the program ran and the servers had their values (shown redacted).
    expect(stdout).toContain('code-execution-end');
    expect(stdout).toContain('\\"DATABASE_URL\\":\\"***\\"');
    expect(web.authorizations).toContain(`Bearer ${CANARY_HEADER_TOKEN}`);
    const executionId = startedRunId(stdout);
    expect(executionId).toBeDefined();

    const exported = roma(['runs', 'export', executionId!], 60_000);
    expect((await exported.finished).status).toBe(0);
    const shown = roma(['runs', 'show', executionId!, '--json'], 60_000);
    expect((await shown.finished).status).toBe(0);
    expect(exported.output().stdout).toContain('artifact-created');

    const seen = [
      stdout,
      stderr,
      exported.output().stdout,
      exported.output().stderr,
      shown.output().stdout,
      shown.output().stderr,
      ...filesUnder(join(directory, '.roma')),
      model.requests.map((request) => JSON.stringify(request.body)).join('\n'),
    ].join('\n');
    for (const canary of CANARIES) expect(seen.includes(canary), canary).toBe(false);
  }, 240_000);

  it("a model's 401 that quotes the key is stored and shown scrubbed (run, show, store files)", async () => {
    const solve = roma(['solve', FAILING_GOAL, '--json'], 120_000);
    const { status: code } = await solve.finished;
    const { stdout, stderr } = solve.output();
    expect(code).not.toBe(0);
    // Positive control: the provider's message itself reached the user, with the key replaced.
    expect(`${stdout}\n${stderr}`).toContain('Incorrect API key provided: ***');
    const executionId = startedRunId(stdout);
    expect(executionId).toBeDefined();
    const shown = roma(['runs', 'show', executionId!, '--json'], 60_000);
    expect((await shown.finished).status).toBe(0);
    expect(shown.output().stdout).toContain('Incorrect API key provided: ***');
    const seen = [
      stdout,
      stderr,
      shown.output().stdout,
      shown.output().stderr,
      ...filesUnder(join(directory, '.roma')),
    ].join('\n');
    expect(seen.includes(CANARY_LLM_KEY)).toBe(false);
  }, 240_000);
});
