// A task step as a unit of work any process can run: what it is given (StepRequest) and what it returns.
import { z } from 'zod';
import type { TaskStep, TokenUsage } from '../../contracts/index.js';
import { DependencyContextSchema, TaskStepSchema, TaskTypeSchema } from '../../contracts/index.js';

const SubtaskResultSchema = z
  .object({
    taskId: z.string().min(1),
    goal: z.string(),
    result: z.string().nullable(),
    error: z.string().optional(),
  })
  .strict();

export const StepRequestSchema = z
  .object({
    executionId: z.string().min(1),
    taskId: z.string().min(1),
    step: TaskStepSchema,
    /** The step's round for its task (replan number, or execution round); with the ids, names the step. */
    attempt: z.number().int().nonnegative(),
    /** Seq of the execution-start or execution-resume of the run segment that asked for it. */
    segment: z.number().int().positive(),
    /** True when the run was resumed: a result of this step may already be in the log. */
    resumed: z.boolean(),
    /** The run's model (`--model`), for modules without their own. */
    runModelId: z.string().min(1).optional(),
    /**
     * The run's `engine` settings (module overrides, limits), checked by whoever runs the step against the engine
     * config schema (once per distinct settings, see remote-step.ts); here only that they are an object.
     */
    engine: z.custom<Record<string, unknown>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      { message: 'expected an object' },
    ),
    task: z
      .object({
        goal: z.string().min(1),
        taskType: TaskTypeSchema,
        depth: z.number().int().nonnegative(),
        parentGoal: z.string().nullable(),
      })
      .strict(),
    context: z.array(DependencyContextSchema),
    input: z
      .object({
        /** execute: a reviewer's feedback on the previous round; plan: the verifier's on the previous plan. */
        feedback: z.string().optional(),
        /** aggregate: the subtasks' results. */
        results: z.array(SubtaskResultSchema).optional(),
        /** verify: the result to check. */
        result: z.string().optional(),
      })
      .strict(),
  })
  .strict();
export type StepRequest = z.output<typeof StepRequestSchema>;

/** What each step returns; recorded as `task-step-end.output` when a queue worker did it. */
export const StepOutputSchemas = {
  atomize: z.object({ nodeType: z.enum(['PLAN', 'EXECUTE']), reason: z.string() }).strict(),
  plan: z
    .object({
      subtasks: z.array(
        z
          .object({
            id: z.string().min(1),
            goal: z.string().min(1),
            taskType: TaskTypeSchema,
            dependencies: z.array(z.string().min(1)),
          })
          .strict(),
      ),
    })
    .strict(),
  execute: z.object({ result: z.string() }).strict(),
  aggregate: z.object({ result: z.string() }).strict(),
  verify: z.object({ passed: z.boolean(), feedback: z.string() }).strict(),
} satisfies Record<TaskStep, z.ZodType>;

export type StepOutputOf<S extends TaskStep> = z.output<(typeof StepOutputSchemas)[S]>;
export type StepOutput = StepOutputOf<TaskStep>;

export interface StepResult<S extends TaskStep = TaskStep> {
  output: StepOutputOf<S>;
  /** The step's model calls together (the code agent's included). */
  usage: TokenUsage;
}

/** A short stable name of the step, unique within its run segment (a queue job id). */
export function stepKey(
  request: Pick<StepRequest, 'executionId' | 'segment' | 'taskId' | 'step' | 'attempt'>,
): string {
  return `${request.executionId}~${request.segment}~${request.taskId}~${request.step}~${request.attempt}`;
}

/** The engine module whose settings (model, prompt) a step uses. */
export const STEP_MODULES = {
  atomize: 'atomizer',
  plan: 'planner',
  execute: 'executor',
  aggregate: 'aggregator',
  verify: 'verifier',
} as const satisfies Record<TaskStep, string>;
