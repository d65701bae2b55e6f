// Ends a run early and cleanly: evaluates the stop conditions on the live totals, and carries cancellation.
import { setMaxListeners } from 'node:events';
import type { StopReason, TokenUsage } from '../../contracts/index.js';
import { addUsage, RomaError } from '../../contracts/index.js';
import type { RunSnapshot, StopCondition, StopDecision } from '../scheduler/stop-conditions.js';
import { anyOf } from '../scheduler/stop-conditions.js';

interface Halt {
  kind: 'stopped' | 'cancelled';
  reason: StopReason;
  message: string;
}

export class RunStopper {
  private readonly controller = new AbortController();
  private readonly condition: StopCondition;
  private readonly startedAtMs: number;
  private readonly startedTasks: Set<string>;
  private halted: Halt | null = null;
  usage: TokenUsage;

  constructor(
    conditions: StopCondition[],
    initial: { usage: TokenUsage; startedTasks: Iterable<string> },
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    // Every task and model call in flight listens on the run's signal; that many listeners are expected.
    setMaxListeners(0, this.controller.signal);
    this.condition = anyOf(...conditions);
    this.usage = initial.usage;
    this.startedTasks = new Set(initial.startedTasks);
    this.startedAtMs = nowMs();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get halt(): Halt | null {
    return this.halted;
  }

  get nodeCount(): number {
    return this.startedTasks.size;
  }

  snapshot(nextDepth?: number): RunSnapshot {
    return {
      usage: this.usage,
      nodeCount: this.startedTasks.size,
      elapsedMs: this.nowMs() - this.startedAtMs,
      ...(nextDepth === undefined ? {} : { nextDepth }),
    };
  }

  /** Evaluates the conditions; a firing one stops the run. Returns true when the run is (now) halted. */
  check(nextDepth?: number): boolean {
    if (this.halted) return true;
    const decision = this.condition(this.snapshot(nextDepth));
    if (decision) this.stop(decision);
    return this.halted !== null;
  }

  /** Throws the halt reason when the run is halted or a condition fires now. */
  throwIfHalted(nextDepth?: number): void {
    if (this.check(nextDepth)) throw this.controller.signal.reason;
  }

  stop(decision: StopDecision): void {
    if (this.halted) return;
    this.halted = { kind: 'stopped', reason: decision.reason, message: decision.message };
    this.controller.abort(
      new RomaError('BUDGET_EXCEEDED', `run stopped: ${decision.message}`, {
        details: { reason: decision.reason },
      }),
    );
  }

  cancel(message = 'cancelled by request'): void {
    if (this.halted) return;
    this.halted = { kind: 'cancelled', reason: 'cancelled', message };
    this.controller.abort(new RomaError('CANCELLED', message));
  }

  /** Counts a task once however often it is (re)started. */
  registerTask(taskId: string): void {
    this.startedTasks.add(taskId);
  }

  hasStarted(taskId: string): boolean {
    return this.startedTasks.has(taskId);
  }

  addUsage(usage: TokenUsage): void {
    this.usage = addUsage(this.usage, usage);
    this.check();
  }
}
