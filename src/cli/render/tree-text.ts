// The task tree as text lines: status mark, id, type, tokens and goal per task, indented by level.
import type { TaskNode } from '../../contracts/index.js';
import type { TaskTree } from '../../engine/index.js';
import { childrenOf } from '../../engine/index.js';
import { clip, formatTokens, statusMark } from './format.js';

interface TreeTextOptions {
  /** Terminal width; lines are clipped to it. */
  width?: number;
  /** Show each finished task's result (first line) under it. */
  showResults?: boolean;
}

function nodeLine(node: TaskNode, prefix: string, width: number): string {
  const kind = node.nodeType === 'PLAN' ? 'plan' : node.nodeType === 'EXECUTE' ? 'exec' : '    ';
  const head = `${prefix}${statusMark(node.status)} ${node.id} ${node.taskType.padEnd(8)} ${kind} ${formatTokens(node.usage).padStart(9)}  `;
  const detail =
    node.status === 'FAILED' && node.error ? `${node.error.code}: ${node.error.message}` : node.goal;
  return head + clip(detail, Math.max(10, width - head.length));
}

export function renderTreeLines(tree: TaskTree, options: TreeTextOptions = {}): string[] {
  const width = options.width ?? 120;
  const lines: string[] = [];
  const root = tree.rootTaskId ? tree.nodes.get(tree.rootTaskId) : undefined;
  if (!root) return lines;
  // Iterative walk (no recursion limit); the tree is at most maxNodes big.
  const stack: Array<{ node: TaskNode; prefix: string; childPrefix: string }> = [
    { node: root, prefix: '', childPrefix: '' },
  ];
  while (stack.length > 0) {
    const { node, prefix, childPrefix } = stack.pop()!;
    lines.push(nodeLine(node, prefix, width));
    if (options.showResults && node.result && node.children.length === 0) {
      lines.push(`${childPrefix}    → ${clip(node.result, Math.max(10, width - childPrefix.length - 6))}`);
    }
    const children = childrenOf(tree, node.id);
    for (let index = children.length - 1; index >= 0; index -= 1) {
      const last = index === children.length - 1;
      stack.push({
        node: children[index]!,
        prefix: `${childPrefix}${last ? '└─ ' : '├─ '}`,
        childPrefix: `${childPrefix}${last ? '   ' : '│  '}`,
      });
    }
  }
  return lines;
}
