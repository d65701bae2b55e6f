// Scripted-model rules that make the engine solve a given task tree: per goal, atomic with a result or a plan.
import { z } from 'zod';
import { TASK_TYPES } from '../../contracts/index.js';
import type { ScriptedReply, ScriptedRule } from './types.js';

const ScriptedSubtaskSchema = z
  .object({
    id: z.string().min(1),
    goal: z.string().min(1),
    taskType: z.enum(TASK_TYPES),
    dependencies: z.array(z.string()).default([]),
  })
  .strict();

const ScriptedTaskSchema = z
  .object({
    /** Composite: the planner's answer. Absent: the task is atomic. */
    plan: z.array(ScriptedSubtaskSchema).optional(),
    /** The executor's (atomic) or aggregator's (composite) answer. */
    result: z.string().min(1).optional(),
    /** Latency of this task's executor/aggregator reply. */
    latencyMs: z.number().int().nonnegative().optional(),
    /**
     * A CODE task's program (TypeScript for the isolate): the code agent's model replies with it, then
     * answers with what it printed (prefixed by `result`, when given).
     */
    program: z.string().min(1).optional(),
  })
  .strict();

export const ScriptedTreeSchema = z
  .object({
    goal: z.string().min(1),
    /** Latency of every reply without its own. */
    latencyMs: z.number().int().nonnegative().default(0),
    tasks: z.record(z.string().min(1), ScriptedTaskSchema),
  })
  .strict();
export type ScriptedTree = z.input<typeof ScriptedTreeSchema>;

/** The line of the engine's prompts naming the task a request is about. */
export function taskLine(goal: string): string {
  return `Task: ${goal}\n`;
}

function defaultResultOf(goal: string, composite: boolean): string {
  return composite ? `Combined answer for: ${goal}` : `Result of: ${goal}`;
}

/** One rule set per goal: atomizer, planner, executor, aggregator and (always passing) verifier. */
export function scriptedTreeRules(input: ScriptedTree): ScriptedRule[] {
  const tree = ScriptedTreeSchema.parse(input);
  const rules: ScriptedRule[] = [];
  for (const [goal, task] of Object.entries(tree.tasks)) {
    const composite = task.plan !== undefined;
    const line = taskLine(goal);
    const latency = (reply: ScriptedReply, own?: number): ScriptedReply => ({
      ...reply,
      latencyMs: own ?? tree.latencyMs,
    });
    rules.push({
      name: `atomizer: ${goal}`,
      match: { contains: ['ROMA atomizer.', line] },
      reply: latency({
        json: { atomic: !composite, reason: composite ? 'needs several steps' : 'one step is enough' },
      }),
    });
    if (task.plan) {
      rules.push({
        name: `planner: ${goal}`,
        match: { contains: ['ROMA planner.', line] },
        reply: latency({ json: { subtasks: task.plan } }),
      });
    }
    rules.push({
      name: `${composite ? 'aggregator' : 'executor'}: ${goal}`,
      match: { contains: [composite ? 'ROMA aggregator.' : 'ROMA executor', line] },
      reply: latency({ text: task.result ?? defaultResultOf(goal, composite) }, task.latencyMs),
    });
    if (task.program !== undefined) {
      const program = task.program;
      const prefix = task.result ? `${task.result}\n` : '';
      rules.push({
        name: `code agent: ${goal}`,
        match: { contains: ['You are PTC', `Task: ${goal}`] },
        reply: (request) => {
          const reports = request.text.split(/^Run \d+: exit code \d+.*\nstdout:\n/m);
          if (reports.length < 2) {
            return latency({
              text: `I will compute it with one program.\n\n\`\`\`typescript\n${program}\n\`\`\``,
            });
          }
          const printed = reports
            .at(-1)!
            .split(/\n(?:stderr:|Files written:|Test:)/)[0]!
            .trim();
          return latency({ text: `FINAL ANSWER: ${prefix}${printed}` }, task.latencyMs);
        },
      });
    }
    rules.push({
      name: `verifier: ${goal}`,
      match: { contains: ['ROMA verifier.', line] },
      reply: latency({ json: { passed: true, feedback: '' } }),
    });
  }
  return rules;
}
