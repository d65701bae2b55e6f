// The dashboard in Chromium (playwright-core): start a demo run, watch the tree reach done through a server
// restart (the page reconnects and catches up), open a CODE node's program and tool calls; screenshot for the README
// (into a temp dir, so a test run leaves the checkout clean; ROMA_UPDATE_SCREENSHOTS=1 rewrites docs/dashboard.png).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../contracts/index.js';
import { type RunningApiServer, startApiServer } from '../api-server.js';
import { openTestApiRuntime, type TestApiRuntime } from '../api-test-support.js';
import { loadDashboardAssets } from '../dashboard-assets.js';
import { parseApiKeys } from '../security/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KEY = 'browser-key-0123456789abcdef';
const hasChromium = existsSync(CHROMIUM);
const dataDir = mkdtempSync(join(tmpdir(), 'roma-dashboard-'));
const SCREENSHOT = join(
  process.env.ROMA_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs') : dataDir,
  'dashboard.png',
);
let test: TestApiRuntime;
let server: RunningApiServer;
let browser: Browser | undefined;
let codeRunId: string;

async function serve(port: number): Promise<RunningApiServer> {
  return startApiServer({
    runtime: test.runtime,
    keys: parseApiKeys(KEY),
    host: '127.0.0.1',
    port,
    requestsPerMinute: 100_000,
    dashboard: loadDashboardAssets(join(ROOT, 'dist/dashboard')),
    stream: { pollIntervalMs: 50 },
  });
}

/** A stored run with one CODE task: its program, two tool calls and what it printed. */
async function seedCodeRun(): Promise<string> {
  const executionId = `run-code-${process.pid}`;
  let seq = 0;
  const timestamp = new Date().toISOString();
  const at = <T extends object>(event: T) => ({ ...event, executionId, seq: ++seq, timestamp });
  const usage = { inputTokens: 120, outputTokens: 80, cachedInputTokens: 0, costUsd: 0.0015 };
  const events = [
    at({ type: 'execution-start', goal: 'Count the open issues', rootTaskId: 'root', options: {} }),
    at({
      type: 'task-start',
      taskId: 'root',
      parentId: null,
      goal: 'Count the open issues',
      depth: 0,
      maxDepth: 2,
      taskType: 'CODE',
      dependencies: [],
    }),
    at({ type: 'task-atomized', taskId: 'root', nodeType: 'EXECUTE', forcedByDepth: false }),
    at({
      type: 'code-execution-start',
      taskId: 'root',
      planId: 'plan-1',
      iteration: 1,
      language: 'typescript',
      provider: 'isolate',
      code: "const issues = await github.list_issues({ state: 'open' });\nconsole.log('open:', issues.length);",
    }),
    at({
      type: 'tool-call',
      taskId: 'root',
      planId: 'plan-1',
      server: 'github',
      tool: 'list_issues',
      durationMs: 12,
      ok: true,
      resultBytes: 48_213,
    }),
    at({
      type: 'tool-call',
      taskId: 'root',
      planId: 'plan-1',
      server: 'github',
      tool: 'get_labels',
      durationMs: 4,
      ok: true,
      resultBytes: 900,
    }),
    at({
      type: 'code-execution-end',
      taskId: 'root',
      planId: 'plan-1',
      iteration: 1,
      exitCode: 0,
      durationMs: 40,
      stdout: 'open: 42\n',
      stderr: '',
      truncated: false,
      stoppedBy: null,
    }),
    at({
      type: 'task-end',
      taskId: 'root',
      status: 'COMPLETED',
      result: '42 issues are open',
      error: null,
      usage,
    }),
    at({
      type: 'execution-end',
      status: 'COMPLETED',
      reason: null,
      result: '42 issues are open',
      error: null,
      usage,
      nodeCount: 1,
      durationMs: 50,
    }),
  ] as StreamEvent[];
  await test.runtime.store.importEvents(events);
  return executionId;
}

beforeAll(async () => {
  if (!hasChromium) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-dashboard.mjs')], { stdio: 'ignore' });
  test = await openTestApiRuntime({ dataDir, latencyMs: 200 });
  codeRunId = await seedCodeRun();
  server = await serve(0);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await test?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!hasChromium)('dashboard in Chromium', { timeout: 120_000 }, () => {
  it('takes the key once, starts the demo, follows it through a server restart to done, and shows a CODE node', async () => {
    const page = await browser!.newPage({ viewport: { width: 1500, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/`);
    await page.locator('#key-panel').waitFor({ state: 'visible' });
    await page.fill('#api-key', KEY);
    await page.click('#key-form button');
    await expect.poll(() => page.evaluate("sessionStorage.getItem('roma.apiKey')")).toBe(KEY);
    await expect.poll(() => page.inputValue('#goal')).toBe(test.demoGoal);
    await page.click('#start');
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('g.task').first().waitFor();

    // Mid-run the API server goes away (every stream cut) and comes back on the same port.
    const port = server.port;
    await server.close();
    await page.locator('#connection[data-state="reconnecting"]').waitFor();
    server = await serve(port);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });

    await page.locator('#run-status.status-COMPLETED').waitFor({ timeout: 60_000 });
    const runId = await page.locator('#run-list tr.selected').getAttribute('data-run-id');
    const stored = await test.runtime.store.readEvents(runId!);
    // Caught up exactly: the page holds the whole log, and every task of the tree is done.
    await expect.poll(() => page.textContent('#seq-label')).toBe(`live · seq ${stored.at(-1)!.seq}`);
    const statuses = await page
      .locator('g.task')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-status')));
    expect(statuses.length).toBe(stored.filter((event) => event.type === 'task-start').length);
    expect(new Set(statuses)).toEqual(new Set(['COMPLETED']));

    // Replay: the slider back to an early seq redraws the tree as it was then.
    await page.locator('#seq-slider').fill('6');
    await expect.poll(() => page.textContent('#seq-label')).toBe(`replay · seq 6 of ${stored.at(-1)!.seq}`);
    expect(await page.locator('g.task').count()).toBeLessThan(statuses.length);
    await page.click('#live');

    await page.locator('g.task[data-task-id="root"]').click();
    await page.locator('#detail pre.output').waitFor();

    // The demo's own CODE tasks: the program the model wrote and exactly the tool calls the log holds.
    const demoCode = page.locator('g.task[data-task-type="CODE"]');
    expect(await demoCode.count()).toBeGreaterThan(0);
    let toolCallsShown = 0;
    for (let index = 0; index < (await demoCode.count()); index += 1) {
      const taskId = await demoCode.nth(index).getAttribute('data-task-id');
      await demoCode.nth(index).click();
      await expect.poll(() => page.getAttribute('#detail', 'data-task-id')).toBe(taskId);
      const starts = stored.filter(
        (event) => event.type === 'code-execution-start' && event.taskId === taskId,
      );
      const calls = stored.filter((event) => event.type === 'tool-call' && event.taskId === taskId);
      expect(await page.locator('#detail pre.code').count()).toBe(starts.length);
      if (starts[0]?.type === 'code-execution-start') {
        expect(await page.locator('#detail pre.code').first().textContent()).toBe(starts[0].code);
      }
      expect(await page.locator('#detail ul.tool-calls li').count()).toBe(calls.length);
      toolCallsShown += calls.length;
      if (index === 0) await page.screenshot({ path: SCREENSHOT });
    }
    expect(toolCallsShown).toBeGreaterThan(0);
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(0);

    // A stored CODE run: its program, stdout and tool calls.
    await page.locator(`#run-list tr[data-run-id="${codeRunId}"]`).click();
    await expect.poll(() => page.textContent('#run-goal')).toBe('Count the open issues');
    await page.locator('g.task[data-task-type="CODE"]').click();
    await expect.poll(() => page.textContent('#detail pre.code')).toContain('github.list_issues');
    expect(await page.textContent('#detail pre.stdout')).toContain('open: 42');
    const tools = await page.locator('#detail ul.tool-calls li').allTextContents();
    expect(tools).toEqual([
      expect.stringContaining('github.list_issues — ok · 48213 bytes'),
      expect.stringContaining('github.get_labels — ok'),
    ]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
