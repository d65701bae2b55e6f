// The coordinator's side of finished step jobs: a Redis subscription per run it waits on, so it hears only its own
// runs' steps (BullMQ's event stream would bring every step of every run to every coordinator), and a slow check
// of a job's state for a result that went unheard (published while the connection was down, or a job that BullMQ's
// stall checker failed).
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullConnection } from './run-queue.js';
import { decodeStepDone, stepResultChannel } from './step-job.js';

/** An unheard job's state is first checked after this long, then twice as long each time up to the cap. */
const FIRST_CHECK_MS = 5_000;
const MAX_CHECK_MS = 60_000;
/** A run's subscription outlives its last awaited step this long: the run's next step usually follows at once. */
const LINGER_MS = 30_000;

export type StepOutcome = { result: unknown } | { failure: string };

interface Waiter {
  queue: Queue;
  settle: (outcome: StepOutcome) => void;
  nextCheckAt: number;
  checkEveryMs: number;
}

interface Subscription {
  users: number;
  subscribed: Promise<unknown>;
  linger: ReturnType<typeof setTimeout> | undefined;
}

export interface StepResults {
  /** Hears the finished steps of `executionId` until the returned release is called; resolves once subscribed. */
  subscribe(executionId: string): Promise<() => void>;
  /** Waits for job `jobId` of `queue` to finish for good (call before adding the job). */
  expect(jobId: string, queue: Queue): ExpectedStep;
  close(): void;
}

export interface ExpectedStep {
  outcome: Promise<StepOutcome>;
  /** Stops waiting (the job was withdrawn, or its waiter gave up). */
  forget(): void;
}

/** A finished job's outcome from its stored state; undefined while it is waiting, running, or unknown. */
async function storedOutcome(queue: Queue, jobId: string): Promise<StepOutcome | undefined> {
  const state = await queue.getJobState(jobId);
  if (state !== 'completed' && state !== 'failed') return undefined;
  const job = await queue.getJob(jobId);
  if (!job) return undefined;
  return state === 'completed' ? { result: job.returnvalue } : { failure: job.failedReason ?? 'failed' };
}

export interface StepResultsOptions {
  redisUrl: string;
  prefix: string;
  /** How long a job may go unheard before its stored state is read (then twice as long each time). */
  firstCheckMs?: number;
}

export function openStepResults(options: StepResultsOptions): StepResults {
  const { redisUrl, prefix } = options;
  const firstCheckMs = options.firstCheckMs ?? FIRST_CHECK_MS;
  let subscriber: Redis | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let checking = false;
  const subscriptions = new Map<string, Subscription>();
  /** By job id: usually one waiter, but a step asked for twice at once (same job id) has two. */
  const waiters = new Map<string, Set<Waiter>>();
  const allWaiters = () => [...waiters.values()].flatMap((each) => [...each]);

  const settle = (jobId: string, outcome: StepOutcome) => {
    const waiting = waiters.get(jobId);
    if (!waiting) return;
    waiters.delete(jobId);
    for (const waiter of waiting) waiter.settle(outcome);
  };

  const checkUnheard = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const [jobId, waiting] of [...waiters]) {
        const now = Date.now();
        const due = [...waiting].filter((waiter) => waiter.nextCheckAt <= now);
        const first = due[0];
        if (!first) continue;
        for (const waiter of due) {
          waiter.checkEveryMs = Math.min(waiter.checkEveryMs * 2, MAX_CHECK_MS);
          waiter.nextCheckAt = now + waiter.checkEveryMs;
        }
        const outcome = await storedOutcome(first.queue, jobId).catch(() => undefined);
        if (outcome) settle(jobId, outcome);
      }
    } finally {
      checking = false;
    }
  };

  const connect = (): Redis => {
    if (subscriber) return subscriber;
    const opened = bullConnection(redisUrl);
    opened.on('message', (_channel: string, text: string) => {
      const message = decodeStepDone(text);
      if (!message) return;
      const { jobId, result, failure } = message;
      settle(jobId, failure === undefined ? { result } : { failure });
    });
    // What was published while the connection was down is lost (ioredis subscribes again on reconnect): every
    // waiting job's state is checked as soon as it is back.
    let dropped = false;
    opened.on('close', () => {
      dropped = true;
    });
    opened.on('ready', () => {
      if (!dropped) return;
      dropped = false;
      for (const waiter of allWaiters()) waiter.nextCheckAt = 0;
      void checkUnheard();
    });
    opened.on('error', () => undefined);
    ticker = setInterval(() => void checkUnheard(), Math.min(1_000, firstCheckMs));
    ticker.unref?.();
    subscriber = opened;
    return opened;
  };

  const unsubscribeLater = (executionId: string, subscription: Subscription) => {
    subscription.linger = setTimeout(() => {
      if (subscription.users > 0 || subscriptions.get(executionId) !== subscription) return;
      subscriptions.delete(executionId);
      subscriber?.unsubscribe(stepResultChannel(prefix, executionId)).catch(() => undefined);
    }, LINGER_MS);
    subscription.linger.unref?.();
  };

  return {
    subscribe: async (executionId) => {
      let subscription = subscriptions.get(executionId);
      if (!subscription) {
        subscription = {
          users: 0,
          subscribed: connect().subscribe(stepResultChannel(prefix, executionId)),
          linger: undefined,
        };
        subscriptions.set(executionId, subscription);
      }
      const held = subscription;
      held.users += 1;
      clearTimeout(held.linger);
      held.linger = undefined;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.users -= 1;
        if (held.users === 0) unsubscribeLater(executionId, held);
      };
      try {
        await held.subscribed;
      } catch (error) {
        // The next step of this run subscribes anew.
        if (subscriptions.get(executionId) === held) subscriptions.delete(executionId);
        release();
        throw error;
      }
      return release;
    },
    expect: (jobId, queue) => {
      let resolveOutcome: (outcome: StepOutcome) => void = () => undefined;
      const outcome = new Promise<StepOutcome>((resolve) => {
        resolveOutcome = resolve;
      });
      const registered: Waiter = {
        queue,
        settle: resolveOutcome,
        nextCheckAt: Date.now() + firstCheckMs,
        checkEveryMs: firstCheckMs,
      };
      let waiting = waiters.get(jobId);
      if (!waiting) {
        waiting = new Set();
        waiters.set(jobId, waiting);
      }
      waiting.add(registered);
      return {
        outcome,
        forget: () => {
          const current = waiters.get(jobId);
          current?.delete(registered);
          if (current?.size === 0) waiters.delete(jobId);
        },
      };
    },
    close: () => {
      clearInterval(ticker);
      for (const subscription of subscriptions.values()) clearTimeout(subscription.linger);
      subscriptions.clear();
      for (const jobId of [...waiters.keys()]) settle(jobId, { failure: 'the step queue was closed' });
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}
