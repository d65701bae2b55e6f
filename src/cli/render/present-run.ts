// Shows a run as it happens (live tree, plain lines or JSON lines), then its answer and summary.
import type { StreamEvent } from '../../contracts/index.js';
import type { ExecutionHandle, ExecutionOutcome, RunTotals } from '../../engine/index.js';
import { foldTotals } from '../../engine/index.js';
import type { ExecutionStore } from '../../store/index.js';
import { eventLine } from './event-line.js';
import { LiveTree } from './live-tree.js';
import { renderOutcomeText } from './summary-text.js';

export type OutputMode = 'tty' | 'plain' | 'json';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export function chooseOutputMode(json: boolean | undefined, stream: OutputStream): OutputMode {
  if (json) return 'json';
  return stream.isTTY ? 'tty' : 'plain';
}

interface PresentedRun {
  outcome: ExecutionOutcome;
  totals: RunTotals;
}

interface EventPresenter {
  show(event: StreamEvent): void;
  /** Leaves the last state on screen (the full tree in a terminal). */
  finish(): void;
}

/** Shows events one by one: a live tree in a terminal, plain lines otherwise, JSON lines with `--json`. */
export function createEventPresenter(mode: OutputMode, stream: OutputStream): EventPresenter {
  const live =
    mode === 'tty'
      ? new LiveTree({
          write: (text) => stream.write(text),
          // A pseudo-terminal without a size reports 0.
          columns: () => stream.columns || 100,
          rows: () => stream.rows || 40,
        })
      : null;
  return {
    show: (event) => {
      if (mode === 'json') stream.write(`${JSON.stringify(event)}\n`);
      else if (live) live.push(event);
      else {
        const line = eventLine(event);
        if (line) stream.write(`${line}\n`);
      }
    },
    finish: () => live?.finish(),
  };
}

/** Call right after starting the run, so no event is missed. */
export async function presentRun(
  handle: ExecutionHandle,
  mode: OutputMode,
  stream: OutputStream,
  store: ExecutionStore,
): Promise<PresentedRun> {
  const presenter = createEventPresenter(mode, stream);
  const watching = (async () => {
    for await (const event of handle.events()) presenter.show(event);
  })();
  const outcome = await handle.done;
  await watching;
  presenter.finish();
  // The whole log, so a resumed run's summary counts its earlier part too.
  const totals = foldTotals(await store.readEvents(outcome.executionId));
  if (mode !== 'json') stream.write(`${renderOutcomeText(outcome.executionId, totals)}\n`);
  return { outcome, totals };
}

/** Ctrl-C cancels the run cleanly (its log stays resumable); a second one exits at once. */
function cancelOnInterrupt(handle: ExecutionHandle, notice: (text: string) => void): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts === 1) {
      notice(`\ncancelling run ${handle.executionId} (Ctrl-C again to quit at once)…\n`);
      handle.cancel('interrupted (Ctrl-C)');
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * What `solve`, `runs resume` and `demo` do with a started run: show it on stdout, turn Ctrl-C into a
 * cancel, and make the exit code say whether the run completed.
 */
export async function presentRunToTerminal(
  handle: ExecutionHandle,
  mode: OutputMode,
  store: ExecutionStore,
): Promise<PresentedRun> {
  const stopInterrupts = cancelOnInterrupt(handle, (text) => process.stderr.write(text));
  try {
    const presented = await presentRun(handle, mode, process.stdout, store);
    process.exitCode = presented.outcome.status === 'COMPLETED' ? 0 : 1;
    return presented;
  } finally {
    stopInterrupts();
  }
}
