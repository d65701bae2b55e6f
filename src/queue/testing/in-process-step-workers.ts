// Step workers in this process over an engine test kit's store and models, and the step queue a run sends to them.
import type { CodeAgent } from '../../contracts/index.js';
import type { ScriptedRule } from '../../dev/scripted-model/index.js';
import { createEngineKit, type EngineKit } from '../../engine/testing/engine-test-kit.js';
import { createLogger } from '../../logging/index.js';
import type { StepRateLimits } from '../step-job.js';
import { openStepQueue, type StepQueue } from '../step-queue.js';
import { startStepWorker } from '../step-worker.js';
import { TEST_REDIS_URL } from './test-redis.js';

export interface InProcessStepsOptions {
  prefix: string;
  /** Step workers, each a Worker set of its own as separate processes would have (1 by default). */
  workers?: number;
  concurrency: number;
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  rateLimits?: StepRateLimits;
  /** Runs the CODE steps the workers take; none by default (they fail with NO_CODE_EXECUTOR). */
  codeAgent?: CodeAgent | undefined;
}

export interface InProcessSteps {
  steps: StepQueue;
  /** Closes the queue, then the workers. */
  close(): Promise<void>;
}

export function openInProcessSteps(kit: EngineKit, options: InProcessStepsOptions): InProcessSteps {
  const models = kit.deps().models;
  const rateLimits = options.rateLimits ?? {};
  const workers = Array.from({ length: options.workers ?? 1 }, () =>
    startStepWorker(
      {
        store: kit.store,
        models,
        config: kit.config,
        codeAgent: options.codeAgent,
        logger: createLogger({ level: 'silent', format: 'json' }),
      },
      {
        redisUrl: TEST_REDIS_URL,
        prefix: options.prefix,
        concurrency: options.concurrency,
        lockDurationMs: 5_000,
        rateLimits,
        budgetLeaseMs: 30_000,
      },
    ),
  );
  const steps = openStepQueue({
    redisUrl: TEST_REDIS_URL,
    prefix: options.prefix,
    attempts: options.attempts,
    backoffMs: options.backoffMs,
    timeoutMs: options.timeoutMs,
    rateLimits,
    defaultModelId: models.defaultModelId,
  });
  return {
    steps,
    close: async () => {
      await steps.close();
      for (const worker of workers) await worker.close(5_000);
    },
  };
}

/** The engine kits and step workers the tests of a file open, and what else they want closed with them. */
export class InProcessStepsTests {
  readonly #kits: EngineKit[] = [];
  readonly #closers: Array<() => Promise<unknown>> = [];

  /** An engine kit over `rules`, with no step workers. */
  async kit(rules: ScriptedRule[]): Promise<EngineKit> {
    const kit = await createEngineKit(rules);
    this.#kits.push(kit);
    return kit;
  }

  /** An engine kit over `rules` and step workers over it. */
  async open(
    rules: ScriptedRule[],
    options: InProcessStepsOptions,
  ): Promise<{ kit: EngineKit; steps: StepQueue }> {
    const kit = await this.kit(rules);
    const { steps, close } = openInProcessSteps(kit, options);
    this.#closers.push(close);
    return { kit, steps };
  }

  /** Closed with the rest, before the kits. */
  onClose(...closers: Array<() => Promise<unknown>>): void {
    this.#closers.push(...closers);
  }

  /** Closes the step workers and what `onClose` added, in order, then the kits (after each test). */
  async closeAll(): Promise<void> {
    for (const close of this.#closers.splice(0)) await close();
    for (const kit of this.#kits.splice(0)) await kit.close();
  }
}
