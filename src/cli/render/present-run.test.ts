// What a user sees of a run: the live tree redrawn in place in a terminal, plain lines otherwise.
import { afterEach, describe, expect, it } from 'vitest';
import { scriptedTreeRules } from '../../dev/scripted-model/index.js';
import { foldTaskTree, startExecution } from '../../engine/index.js';
import type { EngineKit } from '../../engine/testing/engine-test-kit.js';
import { createEngineKit } from '../../engine/testing/engine-test-kit.js';
import { presentRun } from './present-run.js';
import { renderTreeLines } from './tree-text.js';

const GOAL = 'Pack for a trip';
const TREE = {
  goal: GOAL,
  latencyMs: 30,
  tasks: {
    [GOAL]: {
      plan: [
        { id: 'a', goal: 'Check the weather', taskType: 'RETRIEVE' as const, dependencies: [] },
        { id: 'b', goal: 'List the clothes', taskType: 'WRITE' as const, dependencies: ['a'] },
      ],
      result: 'PACKED',
    },
    'Check the weather': { result: 'RAIN' },
    'List the clothes': { result: 'A COAT' },
  },
};

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, rows: 30, write: (text: string) => chunks.push(text) } };
}

describe('presentRun', () => {
  it('redraws the tree in place in a terminal, then prints the answer and the summary', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const { chunks, stream } = fakeStream(true);
    const handle = startExecution(kit.deps(), { goal: GOAL });
    const { outcome } = await presentRun(handle, 'tty', stream, kit.store);
    expect(outcome.status).toBe('COMPLETED');
    const text = chunks.join('');
    // Redraws move the cursor up over the previous frame instead of scrolling.
    expect(text).toMatch(/\u001b\[\d+A\r\u001b\[0J/);
    const lastFrame = chunks.filter((chunk) => chunk.includes('roma ')).at(-1) ?? '';
    expect(lastFrame).toContain('✓ root THINK');
    expect(lastFrame).toMatch(/└─ ✓ root\.2 WRITE +exec +\d+ tok {2}List the clothes/);
    expect(text).toContain('━━ answer ━━\nPACKED');
    expect(text).toContain('model calls 7, 0 from cache');
    expect(text).toMatch(/tokens: [\d,]+ in \/ [\d,]+ out · saved 0 tokens \(0%\)/);
  });

  it('prints one plain line per step when stdout is not a terminal', async () => {
    kit = await createEngineKit(scriptedTreeRules(TREE));
    const { chunks, stream } = fakeStream(false);
    await presentRun(startExecution(kit.deps(), { goal: GOAL }), 'plain', stream, kit.store);
    const text = chunks.join('');
    expect(text).not.toContain('\u001b[');
    expect(text).toMatch(/start {2}root\.2 WRITE: List the clothes/);
    expect(text).toMatch(/done {3}root\.2/);
  });

  it('shows a failed task with its error code in the tree', async () => {
    kit = await createEngineKit([
      { match: { contains: ['ROMA executor', 'Task: List the clothes\n'] }, reply: { status: 500 } },
      ...scriptedTreeRules(TREE),
    ]);
    const handle = startExecution(kit.deps(), { goal: GOAL });
    const { outcome } = await presentRun(handle, 'json', fakeStream(false).stream, kit.store);
    const lines = renderTreeLines(foldTaskTree(await kit.store.readEvents(outcome.executionId)), {
      width: 200,
    });
    expect(lines.find((line) => / root\.2 /.test(line.slice(0, 12)))).toMatch(
      /✗ root\.2 .*MODEL_CALL_FAILED/,
    );
  });
});
