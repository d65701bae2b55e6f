// Terminal rendering of runs: live tree, plain event lines, tree text and the final summary.

export { errorLine } from './error-line.js';
export { clip, formatCost } from './format.js';
export type { OutputMode, OutputStream } from './present-run.js';
export {
  chooseOutputMode,
  createEventPresenter,
  presentRunToTerminal,
} from './present-run.js';
export { renderOutcomeText } from './summary-text.js';
export { guestLines, terminalSafe } from './terminal-text.js';
export { renderTreeLines } from './tree-text.js';
