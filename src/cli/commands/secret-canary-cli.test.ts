// Secret canaries through the real `roma` command: the LLM key, MCP env values and an MCP header, echoed by
// hostile servers and printed, thrown and written by the program, appear nowhere a user or provider can see —
// stdout, stderr (logs), the store's files, the JSONL export, artifacts, requests the model server received.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  envReference,
  type LeakyHttpMcpServer,
  leakyServerConfig,
  startLeakyHttpMcpServer,
} from '../../../test/support/mcp-servers/index.js';
import { codeReply, conversationRule } from '../../../test/support/ptc/harness.js';
import {
  type ScriptedModelServer,
  scriptedTreeRules,
  startScriptedModelServer,
} from '../../dev/scripted-model/index.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ROOT_GOAL = 'Audit the configuration of the leaky servers';
const CODE_GOAL = 'Print what the leaky servers report';

const LLM_KEY = 'sk-canary-cli-llm-5b8e21f0';
const DB_PASSWORD = 'canary-cli-db-pass-77c3';
const DATABASE_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/app`;
const REGION_LABEL = 'canary-cli-plain-0a9d';
const HEADER_TOKEN = 'canary-cli-header-e6f1';
const CANARIES = [LLM_KEY, DB_PASSWORD, DATABASE_URL, REGION_LABEL, HEADER_TOKEN];

const PROGRAM = [
  'const env = await leaky.environment({});',
  "console.log('env', JSON.stringify(env));",
  'const structured = await leaky.structured_environment({});',
  "console.log('structured', JSON.stringify(structured));",
  "try { await leaky.fail_with_environment({}); } catch (error) { console.log('caught', error.message); console.error('stderr', error.message); }",
  'const headers = await web.echo_headers({});',
  "console.log('headers', JSON.stringify(headers));",
  "try { await web.fail_with_headers({}); } catch (error) { console.log('caught-http', error.message); }",
  "workspace.writeFile('results/leak.json', JSON.stringify({ env, structured, headers }));",
].join('\n');

let model: ScriptedModelServer;
let web: LeakyHttpMcpServer;
let directory: string;

interface Spawned {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exit: Promise<number | null>;
}

function spawnRoma(args: string[], timeoutMs: number): Spawned {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
    cwd: directory,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      // roma itself reads DATABASE_URL (its store): the server's value comes from another host variable.
      APP_DATABASE_URL: DATABASE_URL,
      REGION_LABEL,
      SEARCH_KEY: HEADER_TOKEN,
      ROMA_LOG_LEVEL: 'debug',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, output: () => ({ stdout, stderr }), exit };
}

/** Every file under `root` (names and bytes as latin1, so SQLite pages and WAL files are searched too). */
function filesUnder(root: string): string[] {
  const contents: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    contents.push(path);
    if (stat.isDirectory()) stack.push(...readdirSync(path).map((entry) => join(path, entry)));
    else contents.push(readFileSync(path).toString('latin1'));
  }
  return contents;
}

beforeAll(async () => {
  web = await startLeakyHttpMcpServer();
  model = await startScriptedModelServer({
    rules: [
      conversationRule(CODE_GOAL, [
        codeReply(PROGRAM),
        // The program throws what it got, and then the model repeats everything it read.
        codeReply(
          'const env = await leaky.environment({});\nthrow new Error(`leaking ${JSON.stringify(env)}`);',
        ),
        (report) => ({ text: `FINAL ANSWER: ${report}` }),
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
      llm: { model: 'openai:scripted', openaiBaseUrl: model.openaiBaseUrl, openaiApiKey: LLM_KEY },
      store: { dataDir: join(directory, '.roma') },
      ptc: {
        mcpServers: {
          leaky: leakyServerConfig({
            DATABASE_URL: envReference('APP_DATABASE_URL'),
            REGION_LABEL: envReference('REGION_LABEL'),
          }),
          web: {
            transport: 'http',
            url: web.url,
            headers: { Authorization: `Bearer ${envReference('SEARCH_KEY')}` },
            timeoutMs: 30_000,
          },
        },
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await model?.close();
  await web?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe('secret canaries (roma solve)', () => {
  it('leaves zero occurrences in stdout, stderr, the store, the export, artifacts and model requests', async () => {
    const solve = spawnRoma(['solve', ROOT_GOAL, '--json'], 120_000);
    const code = await solve.exit;
    const { stdout, stderr } = solve.output();
    expect(code, stderr.slice(-2_000)).toBe(0);
    // Positive controls: the program ran and the servers had their values (shown redacted).
    expect(stdout).toContain('code-execution-end');
    expect(stdout).toContain('\\"DATABASE_URL\\":\\"***\\"');
    expect(web.authorizations).toContain(`Bearer ${HEADER_TOKEN}`);
    const executionId = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; executionId?: string })
      .find((event) => event.type === 'execution-start')?.executionId;
    expect(executionId).toBeDefined();

    const exported = spawnRoma(['runs', 'export', executionId!], 60_000);
    expect(await exported.exit).toBe(0);
    const shown = spawnRoma(['runs', 'show', executionId!, '--json'], 60_000);
    expect(await shown.exit).toBe(0);
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
});
