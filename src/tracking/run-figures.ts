// The figures tracking reports for a run, as a fold over its event log: the engine's totals plus tool calls and
// the tokens PTC kept out of the model's context.
import type { StreamEvent } from '../contracts/index.js';
import { applyToTotals, createTotalsFold, type RunTotals } from '../engine/index.js';

/** Characters per token of the estimate below (the usual rule of thumb for English text and JSON). */
const CHARS_PER_TOKEN = 4;

export interface RunFigures {
  totals: RunTotals;
  goal: string | null;
  modelId: string | null;
  maxDepth: number | null;
  toolCalls: number;
  failedToolCalls: number;
  /** Bytes tool results returned inside the sandbox. */
  toolResultBytes: number;
  /** Characters programs printed back to the model. */
  printedChars: number;
  codeExecutions: number;
}

export interface RunFiguresFold {
  figures: RunFigures;
  apply(event: StreamEvent): void;
}

export function createRunFiguresFold(): RunFiguresFold {
  const totals = createTotalsFold();
  const figures: RunFigures = {
    totals: totals.totals,
    goal: null,
    modelId: null,
    maxDepth: null,
    toolCalls: 0,
    failedToolCalls: 0,
    toolResultBytes: 0,
    printedChars: 0,
    codeExecutions: 0,
  };
  return {
    figures,
    apply(event) {
      applyToTotals(totals, event);
      figures.totals = totals.totals;
      switch (event.type) {
        case 'execution-start': {
          figures.goal = event.goal;
          const options = event.options as { modelId?: unknown; engine?: { maxDepth?: unknown } };
          if (typeof options.modelId === 'string') figures.modelId = options.modelId;
          if (typeof options.engine?.maxDepth === 'number') figures.maxDepth = options.engine.maxDepth;
          break;
        }
        case 'llm-call':
          figures.modelId ??= event.model;
          break;
        case 'tool-call':
          figures.toolCalls += 1;
          if (!event.ok) figures.failedToolCalls += 1;
          figures.toolResultBytes += event.resultBytes;
          break;
        case 'code-execution-end':
          figures.codeExecutions += 1;
          figures.printedChars += event.stdout.length + event.stderr.length;
          break;
        default:
          break;
      }
    },
  };
}

export function foldRunFigures(events: Iterable<StreamEvent>): RunFigures {
  const fold = createRunFiguresFold();
  for (const event of events) fold.apply(event);
  return fold.figures;
}

/**
 * Tokens PTC kept out of the model's context: what the tools returned inside the sandbox minus what the
 * programs printed back, in estimated tokens (a classic tool-calling agent would have read all of it).
 */
export function tokensKeptOutOfContext(figures: RunFigures): number {
  return Math.max(0, Math.round((figures.toolResultBytes - figures.printedChars) / CHARS_PER_TOKEN));
}

export function cacheHitRate(figures: RunFigures): number {
  return figures.totals.modelCalls === 0 ? 0 : figures.totals.cacheHits / figures.totals.modelCalls;
}
