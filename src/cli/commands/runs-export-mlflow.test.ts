// `roma runs export --to mlflow <id>`: a stored run reaches a loopback MLflow; without MLFLOW_TRACKING_URI a
// clear error with the fix.
import { afterEach, describe, expect, it } from 'vitest';
import { type MlflowDouble, startMlflowDouble } from '../../../test/support/mlflow/index.js';
import { scriptedTreeRules } from '../../dev/scripted-model/index.js';
import { foldTotals, startExecution } from '../../engine/index.js';
import { createEngineKit, type EngineKit } from '../../engine/testing/engine-test-kit.js';
import { runRomaAsync } from './cli-test-support.js';

const GOAL = 'Name one fact about tides';
let kit: EngineKit | undefined;
let double: MlflowDouble | undefined;
afterEach(async () => {
  await kit?.close();
  await double?.close();
});

describe('roma runs export --to mlflow', () => {
  it('sends a past run to MLflow, and names the variable to set when none is configured', async () => {
    kit = await createEngineKit(
      scriptedTreeRules({ goal: GOAL, tasks: { [GOAL]: { result: 'TWO A DAY' } } }),
    );
    const outcome = await startExecution(kit.deps(), { goal: GOAL }).done;
    const events = await kit.events(outcome.executionId);
    await kit.store.close();
    double = await startMlflowDouble();

    const exported = await runRomaAsync(['runs', 'export', '--to', 'mlflow', outcome.executionId], {
      cwd: kit.dataDir,
      env: { ROMA_DATA_DIR: kit.dataDir, MLFLOW_TRACKING_URI: double.url, MLFLOW_EXPERIMENT: 'exported' },
    });
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    const [run] = double.runsOfExecution(outcome.executionId);
    expect(exported.stdout).toContain(`MLflow run ${run!.runId} (experiment exported)`);
    expect(run!.metrics.get('tokens_output')).toBe(foldTotals(events).usage.outputTokens);

    const unconfigured = await runRomaAsync(['runs', 'export', '--to', 'mlflow', outcome.executionId], {
      cwd: kit.dataDir,
      env: { ROMA_DATA_DIR: kit.dataDir },
    });
    expect(unconfigured.status).not.toBe(0);
    expect(unconfigured.stderr).toMatch(/MLFLOW_TRACKING_URI/);
  });
});
