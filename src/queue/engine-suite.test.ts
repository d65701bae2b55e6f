// The engine's end-to-end suite with its steps as BullMQ jobs on real Redis, done by step workers over the run's
// store and models: the same tests the in-process scheduler passes (src/engine/engine.test.ts).
import { afterAll, expect } from 'vitest';
import { runEngineSuite } from '../engine/engine.suite.js';
import type { StepDispatcher } from '../engine/index.js';
import { openInProcessSteps } from './testing/in-process-step-workers.js';
import { deleteQueueKeys, uniqueQueuePrefix } from './testing/test-redis.js';

const prefix = uniqueQueuePrefix('engine-suite');

afterAll(() => deleteQueueKeys(prefix));

runEngineSuite('BullMQ step jobs', {
  remote: true,
  open: async (kit, overrides) => {
    const opened = openInProcessSteps(kit, {
      prefix,
      concurrency: 4,
      attempts: 3,
      backoffMs: 50,
      timeoutMs: 30_000,
      // The workers do the CODE steps: the test's code agent must be theirs.
      codeAgent: overrides.codeAgent,
    });
    let queued = 0;
    const steps: StepDispatcher = {
      remote: opened.steps.remote,
      run: (request, signal, scope) => {
        queued += 1;
        return opened.steps.run(request, signal, scope);
      },
    };
    return {
      deps: { ...kit.deps(overrides), steps },
      close: async () => {
        await opened.close();
        // Every test of the suite runs at least one step: none through the queue means the run did them itself.
        expect(queued, 'steps sent to the step queue').toBeGreaterThan(0);
      },
    };
  },
});
