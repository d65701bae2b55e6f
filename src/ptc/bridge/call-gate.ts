// Bounds one session's tool calls: counted when they start (not when they finish), and few in flight at once.
import { RomaError } from '../../contracts/index.js';

export const DEFAULT_MAX_TOOL_CALLS = 1_000;
/** Calls that reach the servers at once; more wait their turn (a `Promise.all` of thousands is one burst). */
export const DEFAULT_MAX_TOOL_CALLS_IN_FLIGHT = 16;

export class ToolCallGate {
  private started = 0;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private refusalReported = false;

  constructor(
    readonly maxCalls = DEFAULT_MAX_TOOL_CALLS,
    readonly maxInFlight = DEFAULT_MAX_TOOL_CALLS_IN_FLIGHT,
  ) {}

  /** True once, for the first call past the bound: later refusals are not recorded again (they are a loop). */
  firstRefusal(): boolean {
    if (this.refusalReported) return false;
    this.refusalReported = true;
    return true;
  }

  /**
   * Counts the call, waits for a free slot and returns its release. Past `maxCalls` it throws at once, so
   * a runaway loop costs nothing beyond the bound.
   */
  async enter(signal?: AbortSignal): Promise<() => void> {
    this.started += 1;
    if (this.started > this.maxCalls) {
      throw new RomaError('TOOL_FAILED', `more than ${this.maxCalls} tool calls in one execution`, {
        details: { limit: this.maxCalls },
      });
    }
    if (this.inFlight >= this.maxInFlight) await this.waitForSlot(signal);
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.waiting.shift()?.();
    };
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RomaError('CANCELLED', 'tool call cancelled'));
        return;
      }
      const onAbort = () => {
        const index = this.waiting.indexOf(wake);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new RomaError('CANCELLED', 'tool call cancelled'));
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(wake);
    });
  }
}
