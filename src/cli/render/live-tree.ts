// A live task tree in a terminal: redrawn in place (ANSI cursor moves), at most every `intervalMs`.
import type { StreamEvent } from '../../contracts/index.js';
import type { TaskTree, TotalsFold } from '../../engine/index.js';
import { applyToTaskTree, applyToTotals, createTotalsFold, emptyTaskTree } from '../../engine/index.js';
import { formatCost, formatDuration } from './format.js';
import { renderTreeLines } from './tree-text.js';

interface LiveTreeOptions {
  write: (text: string) => void;
  columns: () => number;
  rows: () => number;
  intervalMs?: number;
}

export class LiveTree {
  readonly tree: TaskTree = emptyTaskTree();
  readonly totals: TotalsFold = createTotalsFold();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(private readonly options: LiveTreeOptions) {}

  push(event: StreamEvent): void {
    applyToTaskTree(this.tree, event);
    applyToTotals(this.totals, event);
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, this.options.intervalMs ?? 80);
  }

  /** Draws the last state in full (no more redraws follow, so it may scroll) and leaves it on screen. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dirty = true;
    this.draw(true);
  }

  private draw(full = false): void {
    if (!this.dirty) return;
    this.dirty = false;
    const width = Math.max(40, this.options.columns());
    const totals = this.totals.totals;
    const tokens = totals.usage.inputTokens + totals.usage.outputTokens;
    const header = `roma ${totals.status?.toLowerCase() ?? 'starting'} · ${totals.nodes} tasks · ${totals.modelCalls} model calls · ${tokens} tok · ${formatCost(totals.usage.costUsd)} · ${formatDuration(totals.durationMs)}`;
    let lines = [header, ...renderTreeLines(this.tree, { width: width - 1 })];
    // Keep the redraw inside the screen: cursor-up cannot reach lines scrolled away.
    const maxLines = Math.max(5, this.options.rows() - 2);
    if (!full && lines.length > maxLines) {
      const hidden = lines.length - maxLines + 1;
      lines = [...lines.slice(0, maxLines - 1), `… ${hidden} more lines`];
    }
    const up = this.drawnLines > 0 ? `\u001b[${this.drawnLines}A` : '';
    this.options.write(`${up}\r\u001b[0J${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
