// The PTC plan built from a CODE task: context, tools, sandbox and limits from config, a stable planId.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { buildPtcPlan } from './ptc-plan.js';

describe('buildPtcPlan', () => {
  it('carries the goal, the dependency results and the configured tools and limits', () => {
    const config = defaultConfig();
    config.ptc.mcpServers = {
      files: {
        transport: 'stdio',
        command: 'mcp-files',
        args: [],
        env: {},
        timeoutMs: 1000,
        allowTools: ['read'],
      },
    };
    config.sandbox.provider = 'process';
    // Already applied by the executor's module settings (which the node carries): not applied a second time.
    config.engine.taskTypes = { CODE: { model: 'anthropic:ignored-here', cacheStrategy: 'ALWAYS' } };
    const plan = buildPtcPlan(
      {
        executionId: 'run-1',
        taskId: 'root.2',
        goal: 'count words',
        taskType: 'CODE',
        depth: 1,
        modelId: 'anthropic:coder',
        cacheStrategy: 'NEVER',
      },
      [{ taskId: 'root.1', goal: 'fetch text', result: 'some text' }],
      config,
    );
    expect(plan).toMatchObject({
      planId: 'run-1/root.2',
      goal: 'count words',
      context: [{ taskId: 'root.1', result: 'some text' }],
      language: 'python',
      tools: { servers: [{ name: 'files', allowTools: ['read'] }] },
      sandbox: {
        provider: 'process',
        timeoutMs: config.sandbox.timeoutMs,
        memoryMb: config.sandbox.memoryMb,
      },
      limits: { maxIterations: config.ptc.maxIterations, tokenBudget: config.ptc.tokenBudget },
      cacheStrategy: 'NEVER',
      model: 'anthropic:coder',
    });
    const retry = buildPtcPlan(
      {
        executionId: 'run-1',
        taskId: 'root.2',
        goal: 'count words',
        taskType: 'CODE',
        depth: 1,
        attempt: 1,
        feedback: 'wrong',
      },
      [],
      defaultConfig(),
    );
    expect(retry).toMatchObject({
      planId: 'run-1/root.2#1',
      language: 'typescript',
      cacheStrategy: defaultConfig().cache.strategy,
      metadata: { feedback: 'wrong' },
    });
    expect(retry.model).toBeUndefined();
  });
});
