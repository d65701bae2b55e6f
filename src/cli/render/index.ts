// Terminal rendering of runs: live tree, plain event lines, tree text and the final summary.

export { errorLine } from './error-line.js';
export { eventLine } from './event-line.js';
export { clip, formatCost, formatDuration, formatTokens, statusMark } from './format.js';
export type { LiveTreeOptions } from './live-tree.js';
export { LiveTree } from './live-tree.js';
export type { EventPresenter, OutputMode, OutputStream, PresentedRun } from './present-run.js';
export {
  cancelOnInterrupt,
  chooseOutputMode,
  createEventPresenter,
  presentRun,
  presentRunToTerminal,
} from './present-run.js';
export { renderOutcomeText } from './summary-text.js';
export { GUEST_LINE_PREFIX, guestLines, terminalSafe } from './terminal-text.js';
export type { TreeTextOptions } from './tree-text.js';
export { renderTreeLines } from './tree-text.js';
