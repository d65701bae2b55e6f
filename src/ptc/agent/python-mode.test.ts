// Plans on the process (bubblewrap) sandbox: generated Python modules and JS namespaces call tools over the host pipe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataServerConfig,
  envReference,
  generateSalesData,
  smallServerConfig,
} from '../../../test/support/mcp-servers/index.js';
import {
  codeReply,
  conversationRule,
  finalAnswerFrom,
  type PtcHarness,
  startPtcHarness,
} from '../../../test/support/ptc/harness.js';
import { createProcessSandbox } from '../../sandbox/process/process-sandbox.js';
import type { Sandbox } from '../../sandbox/sandbox.js';

const data = generateSalesData();
const SECRET = 'py-secret-0c7e2b9d41';
let harness: PtcHarness;
let python: Sandbox | null = null;
let unavailable = '';

beforeAll(async () => {
  try {
    python = createProcessSandbox({ poolSize: 0 });
    const probe = await python.openSession({ timeoutMs: 20_000 });
    const run = await probe.run('print(1)', { language: 'python', timeoutMs: 20_000 });
    await probe.close();
    if (run.exitCode !== 0) unavailable = run.stderr;
  } catch (error) {
    unavailable = (error as Error).message;
  }
  harness = await startPtcHarness({
    servers: {
      data: dataServerConfig(),
      small: smallServerConfig({ TEST_SECRET: envReference('PY_TEST_SECRET') }),
    },
    hostEnv: { ...process.env, PY_TEST_SECRET: SECRET },
    rules: [
      conversationRule('[py-refunds]', [
        codeReply(
          [
            'from tools import data, small',
            'orders = data.list_orders(status="refunded")',
            'try:',
            '    small.fail(reason="no quota")',
            'except Exception as error:',
            '    print("caught", error)',
            'print("refunded=%d" % orders["total"])',
            'open("results/refunds.txt", "w").write(str(orders["total"]))',
            'import os, json',
            'print("secret-status", json.dumps(small.secret_status()))',
            'files = {p: open(os.path.join(d, p)).read() for d, _, names in os.walk(".") for p in names if d.startswith("./tools")}',
            'open("results/environment.txt", "w").write(json.dumps(dict(os.environ)) + json.dumps(files))',
          ].join('\n'),
          'python',
        ),
        (report) => ({
          text: `FINAL ANSWER: ${report.match(/refunded=(\d+)/)?.[1]} / ${report.match(/caught (.*)/)?.[1]}`,
        }),
      ]),
      conversationRule('[node-process]', [
        codeReply(
          [
            "import { add } from './tools/small.ts';",
            'const sum = await add({ a: 5, b: 6 });',
            "console.log('node sum=' + sum);",
          ].join('\n'),
          'javascript',
        ),
        finalAnswerFrom(/node sum=(\d+)/),
      ]),
    ],
  });
  if (python) harness.deps.sandboxFor = (provider) => (provider === 'process' ? python! : harness.sandbox);
});

afterAll(async () => {
  await harness?.close();
  await python?.close();
});

describe('PTC agent with Python in the process sandbox', () => {
  it('imports the generated Python modules and calls tools through the host', async (context) => {
    if (unavailable) context.skip(`process sandbox unavailable here: ${unavailable.slice(0, 200)}`);
    const result = await harness.execute({
      goal: '[py-refunds] count refunds',
      language: 'python',
      sandbox: { provider: 'process', timeoutMs: 30_000, memoryMb: 256 },
      tools: { servers: [{ name: 'data' }, { name: 'small' }] },
    });
    const refunded = data.orders.filter((order) => order.status === 'refunded').length;
    expect(result.executions[0]?.stderr ?? '').toBe('');
    expect(result).toMatchObject({ status: 'SUCCESS', summary: `${refunded} / no quota` });
    expect(result.artifacts.map((artifact) => artifact.name).sort()).toEqual([
      'environment.txt',
      'refunds.txt',
    ]);
    // The server got its secret; the Python sandbox's environment and files never had it.
    expect(result.executions[0]!.stdout).toContain(`"present": true, "length": ${SECRET.length}`);
    const environment = result.artifacts.find((artifact) => artifact.name === 'environment.txt')!;
    const dumped = new TextDecoder().decode(await harness.artifactStore.get(environment.uri));
    expect(dumped).toContain('__romaCallTool');
    expect(dumped).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(harness.events)).not.toContain(SECRET);
  });

  it('runs JavaScript on the process sandbox with the same tool namespaces', async (context) => {
    if (unavailable) context.skip(`process sandbox unavailable here: ${unavailable.slice(0, 200)}`);
    const result = await harness.execute({
      goal: '[node-process] add in node',
      language: 'javascript',
      sandbox: { provider: 'process', timeoutMs: 30_000, memoryMb: 256 },
      tools: { servers: [{ name: 'small' }] },
    });
    expect(result.executions[0]?.stderr ?? '').toBe('');
    expect(result).toMatchObject({ status: 'SUCCESS', summary: '11' });
  });
});
