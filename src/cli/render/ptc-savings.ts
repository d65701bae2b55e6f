// The headline of programmatic tool calling for a run: tool-result bytes that stayed in the sandbox.
import type { StreamEvent } from '../../contracts/index.js';

interface PtcSavings {
  toolCalls: number;
  /** Bytes the tools returned to the programs (what direct tool calls would put in the model's context). */
  toolResultBytes: number;
  /** Characters the programs printed: all the model read of them. */
  printedChars: number;
}

function ptcSavings(events: readonly StreamEvent[]): PtcSavings {
  const savings: PtcSavings = { toolCalls: 0, toolResultBytes: 0, printedChars: 0 };
  for (const event of events) {
    if (event.type === 'tool-call' && event.ok) {
      savings.toolCalls += 1;
      savings.toolResultBytes += event.resultBytes;
    } else if (event.type === 'code-execution-end') {
      savings.printedChars += event.stdout.length;
    }
  }
  return savings;
}

/** About four characters a token, as the scripted model and most tokenizers count English and JSON. */
const CHARS_PER_TOKEN = 4;

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KB`;
}

/** Empty when the run made no tool call from a program. */
export function renderPtcSavings(events: readonly StreamEvent[]): string {
  const savings = ptcSavings(events);
  if (savings.toolCalls === 0) return '';
  const kept = Math.max(0, Math.round((savings.toolResultBytes - savings.printedChars) / CHARS_PER_TOKEN));
  return (
    `\nprogrammatic tool calling: ${savings.toolCalls} tool call${savings.toolCalls === 1 ? '' : 's'} returned ` +
    `${kilobytes(savings.toolResultBytes)} to the sandbox; the programs printed ${kilobytes(savings.printedChars)} — ` +
    `about ${kept.toLocaleString('en-US')} tokens kept out of the model's context (4 chars a token)\n`
  );
}
