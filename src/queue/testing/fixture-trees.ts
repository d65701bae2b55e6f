// Scripted trees the queue tests share: small plans with one slow task, which leaves time to kill or scrape a worker.
import type { ScriptedTree } from '../../dev/scripted-model/index.js';

export const RIVERS_GOAL = 'Survey three rivers';
export const RIVERS_RESULT = 'THREE RIVERS SURVEYED';

/** Nile and Amazon at once, then the Yangtze after both, taking `yangtzeLatencyMs` (the slow step). */
export function riversTree(options: { latencyMs: number; yangtzeLatencyMs: number }): ScriptedTree {
  return {
    goal: RIVERS_GOAL,
    latencyMs: options.latencyMs,
    tasks: {
      [RIVERS_GOAL]: {
        plan: [
          { id: 'nile', goal: 'Measure the Nile', taskType: 'THINK', dependencies: [] },
          { id: 'amazon', goal: 'Measure the Amazon', taskType: 'THINK', dependencies: [] },
          { id: 'yangtze', goal: 'Measure the Yangtze', taskType: 'THINK', dependencies: ['nile', 'amazon'] },
        ],
        result: RIVERS_RESULT,
      },
      'Measure the Nile': { result: 'NILE 6650 KM' },
      'Measure the Amazon': { result: 'AMAZON 6400 KM' },
      'Measure the Yangtze': { result: 'YANGTZE 6300 KM', latencyMs: options.yangtzeLatencyMs },
    },
  };
}

export const BRIDGES_GOAL = 'Count two bridges';
export const NEW_BRIDGE_GOAL = 'Count the new bridge';

/** Two independent subtasks at 20 ms a reply; the new bridge takes `newBridgeLatencyMs` when given. */
export function bridgesTree(options: { newBridgeLatencyMs?: number } = {}): ScriptedTree {
  return {
    goal: BRIDGES_GOAL,
    latencyMs: 20,
    tasks: {
      [BRIDGES_GOAL]: {
        plan: [
          { id: 'a', goal: 'Count the old bridge', taskType: 'THINK', dependencies: [] },
          { id: 'b', goal: NEW_BRIDGE_GOAL, taskType: 'THINK', dependencies: [] },
        ],
        result: 'TWO BRIDGES',
      },
      'Count the old bridge': { result: 'OLD ONE' },
      [NEW_BRIDGE_GOAL]: {
        result: 'NEW ONE',
        ...(options.newBridgeLatencyMs === undefined ? {} : { latencyMs: options.newBridgeLatencyMs }),
      },
    },
  };
}
