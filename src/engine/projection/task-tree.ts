// The task tree as a fold over the event log: one TaskNode per task, as a watcher or `runs show` sees it.
import type { StreamEvent, TaskNode } from '../../contracts/index.js';
import { emptyUsage } from '../../contracts/index.js';

export interface TaskTree {
  executionId: string | null;
  goal: string | null;
  rootTaskId: string | null;
  nodes: Map<string, TaskNode>;
}

export function emptyTaskTree(): TaskTree {
  return { executionId: null, goal: null, rootTaskId: null, nodes: new Map() };
}

/** Applies one event to the tree in place (cheap enough to call for every live event). */
export function applyToTaskTree(tree: TaskTree, event: StreamEvent): TaskTree {
  switch (event.type) {
    case 'execution-start':
      tree.executionId = event.executionId;
      tree.goal = event.goal;
      tree.rootTaskId = event.rootTaskId;
      break;
    case 'task-start': {
      const existing = tree.nodes.get(event.taskId);
      if (existing) {
        // A resumed run restarts an unfinished task: its earlier decisions (node type, children) stand.
        existing.status = 'PENDING';
        existing.result = null;
        existing.error = null;
        existing.completedAt = null;
        existing.startedAt = event.timestamp;
        break;
      }
      tree.nodes.set(event.taskId, {
        id: event.taskId,
        executionId: event.executionId,
        parentId: event.parentId,
        goal: event.goal,
        depth: event.depth,
        maxDepth: event.maxDepth,
        taskType: event.taskType,
        nodeType: null,
        status: 'PENDING',
        dependencies: [...event.dependencies],
        children: [],
        result: null,
        error: null,
        artifacts: [],
        usage: emptyUsage(),
        createdAt: event.timestamp,
        startedAt: event.timestamp,
        completedAt: null,
      });
      break;
    }
    case 'task-status': {
      const node = tree.nodes.get(event.taskId);
      if (node) node.status = event.status;
      break;
    }
    case 'task-atomized': {
      const node = tree.nodes.get(event.taskId);
      if (node) node.nodeType = event.nodeType;
      break;
    }
    case 'task-planned': {
      const node = tree.nodes.get(event.taskId);
      // The latest plan is the one that counts; a replan's children replace the earlier ones.
      if (node) node.children = event.subtasks.map((subtask) => subtask.id);
      break;
    }
    case 'task-end': {
      const node = tree.nodes.get(event.taskId);
      if (node) {
        node.status = event.status;
        node.result = event.result;
        node.error = event.error;
        node.completedAt = event.timestamp;
      }
      break;
    }
    case 'llm-call': {
      const node = event.taskId ? tree.nodes.get(event.taskId) : undefined;
      if (node) {
        node.usage = {
          inputTokens: node.usage.inputTokens + event.inputTokens,
          outputTokens: node.usage.outputTokens + event.outputTokens,
          cachedInputTokens: node.usage.cachedInputTokens + event.cachedInputTokens,
          costUsd: node.usage.costUsd + event.costUsd,
        };
      }
      break;
    }
    case 'artifact-created': {
      const node = event.taskId ? tree.nodes.get(event.taskId) : undefined;
      if (node) node.artifacts = [...node.artifacts, event.artifact];
      break;
    }
    default:
      break;
  }
  return tree;
}

export function foldTaskTree(events: Iterable<StreamEvent>): TaskTree {
  const tree = emptyTaskTree();
  for (const event of events) applyToTaskTree(tree, event);
  return tree;
}

/** Children of a node that exist in the tree, in plan order. */
export function childrenOf(tree: TaskTree, taskId: string): TaskNode[] {
  const node = tree.nodes.get(taskId);
  if (!node) return [];
  return node.children.flatMap((childId) => {
    const child = tree.nodes.get(childId);
    return child ? [child] : [];
  });
}
