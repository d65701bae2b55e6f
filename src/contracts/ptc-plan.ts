// PTCExecutionPlan: what ROMA hands the PTC code agent for one task.
import { z } from 'zod';

export const SANDBOX_PROVIDERS = ['isolate', 'process', 'daytona'] as const;
export const SandboxProviderSchema = z.enum(SANDBOX_PROVIDERS);
export type SandboxProviderName = z.output<typeof SandboxProviderSchema>;

const CODE_LANGUAGES = ['typescript', 'javascript', 'python'] as const;
export const CodeLanguageSchema = z.enum(CODE_LANGUAGES);
export type CodeLanguage = z.output<typeof CodeLanguageSchema>;

const CACHE_STRATEGIES = ['ALWAYS', 'NEVER', 'SMART'] as const;
export const CacheStrategySchema = z.enum(CACHE_STRATEGIES);
export type CacheStrategy = z.output<typeof CacheStrategySchema>;

export const DependencyContextSchema = z
  .object({
    taskId: z.string().min(1),
    goal: z.string(),
    result: z.string(),
  })
  .strict();
export type DependencyContext = z.output<typeof DependencyContextSchema>;

const PlanToolServerSchema = z
  .object({
    /** Name of an MCP server configured on the host (`roma.config.yaml` → mcp.servers). */
    name: z.string().min(1),
    /** Only these tools of the server are exposed; all when absent. */
    allowTools: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const PTCExecutionPlanSchema = z
  .object({
    planId: z.string().min(1),
    executionId: z.string().min(1),
    taskId: z.string().min(1),
    goal: z.string().min(1, 'goal must not be empty'),
    /** Results of the task's dependencies, for the model's context. */
    context: z.array(DependencyContextSchema).default([]),
    language: CodeLanguageSchema.default('typescript'),
    tools: z
      .object({ servers: z.array(PlanToolServerSchema).default([]) })
      .strict()
      .default({ servers: [] }),
    sandbox: z
      .object({
        provider: SandboxProviderSchema.default('isolate'),
        timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
        memoryMb: z.number().int().min(16).max(65_536).default(256),
      })
      .strict()
      .default({ provider: 'isolate', timeoutMs: 30_000, memoryMb: 256 }),
    limits: z
      .object({
        maxIterations: z.number().int().min(1).max(20).default(5),
        maxOutputChars: z.number().int().min(100).max(10_000_000).default(20_000),
        tokenBudget: z.number().int().positive().default(200_000),
      })
      .strict()
      .default({ maxIterations: 5, maxOutputChars: 20_000, tokenBudget: 200_000 }),
    enableTesting: z.boolean().default(false),
    cacheStrategy: CacheStrategySchema.default('SMART'),
    cacheTtlSeconds: z
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
    /** Model id (`anthropic:claude-…`); the configured default when absent. */
    model: z.string().min(1).optional(),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type PTCExecutionPlan = z.output<typeof PTCExecutionPlanSchema>;
export type PTCExecutionPlanInput = z.input<typeof PTCExecutionPlanSchema>;
