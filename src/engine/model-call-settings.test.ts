// The engine's model calls get timeout and retries one way: with the model, from the registry's `llm` config.
import { afterEach, describe, expect, it } from 'vitest';
import { createModelRegistry } from '../llm/index.js';
import { solve } from './run/execution.js';
import type { EngineKit } from './testing/engine-test-kit.js';
import { createEngineKit, eventsOfType } from './testing/engine-test-kit.js';

let kit: EngineKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

describe('engine: model-call settings come with the model', () => {
  it('llm.timeoutMs of the registry bounds an engine call', async () => {
    kit = await createEngineKit([{ reply: { text: 'too late', latencyMs: 5_000 } }]);
    const models = createModelRegistry({ ...kit.config.llm, timeoutMs: 300, maxRetries: 0 });
    const outcome = await solve({ ...kit.deps({ engine: { maxDepth: 0 } }), models }, { goal: 'Say hello' });
    expect(outcome.status).toBe('FAILED');
    const calls = eventsOfType(await kit.events(outcome.executionId), 'llm-call');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0]?.ok).toBe(false);
    expect(calls[0]?.error).toMatch(/timed out after 300 ms/);
  });

  it('llm.maxRetries of the registry is what an engine call retries, not a default of its own', async () => {
    kit = await createEngineKit([{ reply: { status: 500 } }]);
    const models = createModelRegistry({ ...kit.config.llm, maxRetries: 0 });
    const outcome = await solve({ ...kit.deps({ engine: { maxDepth: 0 } }), models }, { goal: 'Say hello' });
    expect(outcome.status).toBe('FAILED');
    const calls = eventsOfType(await kit.events(outcome.executionId), 'llm-call');
    // Each recorded call went upstream once: no hidden retries on top of llm.maxRetries = 0.
    expect(kit.server.requests).toHaveLength(calls.length);
  });
});
