// Steps as BullMQ jobs on real Redis, done by a step worker over the run's store, pass the same conformance suite
// as steps done in process.
import { afterAll } from 'vitest';
import { runStepDispatcherConformance } from '../engine/step-dispatcher.conformance.js';
import { openInProcessSteps } from './testing/in-process-step-workers.js';
import { deleteQueueKeys, uniqueQueuePrefix } from './testing/test-redis.js';

const prefix = uniqueQueuePrefix('step-queue');

afterAll(() => deleteQueueKeys(prefix));

runStepDispatcherConformance('BullMQ step jobs', {
  open: async (kit) =>
    openInProcessSteps(kit, { prefix, concurrency: 4, attempts: 3, backoffMs: 50, timeoutMs: 30_000 }),
});
