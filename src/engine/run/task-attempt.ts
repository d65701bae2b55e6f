// One attempt at one task: its status (checked against the transition table), its usage, its dependencies' results.
import type { DependencyContext, TaskStatus, TokenUsage } from '../../contracts/index.js';
import { assertTransition, emptyUsage } from '../../contracts/index.js';
import type { RunContext, TaskSpec } from './run-context.js';

/** One attempt at one task: its status (checked against the transition table) and its own usage. */
export class TaskAttempt {
  status: TaskStatus = 'PENDING';
  usage: TokenUsage = emptyUsage();

  constructor(
    readonly run: RunContext,
    readonly spec: TaskSpec,
    readonly context: DependencyContext[],
    readonly signal: AbortSignal,
  ) {}

  /** Recorded, not awaited: it is durable before the task's next external effect (see EventSink.record). */
  moveTo(status: TaskStatus): void {
    assertTransition(this.status, status, this.spec.id);
    const previousStatus = this.status;
    this.status = status;
    this.run.sink.record({ type: 'task-status', taskId: this.spec.id, status, previousStatus });
  }
}
