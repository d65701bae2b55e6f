// /metrics carries MLflow tracking's counted drops (the warning that tracking failed without failing a run).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openExecutionStore } from '../store/index.js';
import { createMlflowTracker } from '../tracking/index.js';
import { createApiMetrics } from './metrics.js';

describe('/metrics and MLflow tracking', () => {
  it('shows delivered and dropped MLflow deliveries, and nothing when tracking is off', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roma-metrics-'));
    const store = await openExecutionStore({ dataDir });
    try {
      // Port 9 (discard) on loopback: nothing answers, so each delivery fails fast and is dropped.
      const tracker = createMlflowTracker({
        trackingUri: 'http://127.0.0.1:9',
        experimentName: 'x',
        queue: { maxAttempts: 1 },
      });
      tracker.onEvent({
        executionId: 'e1',
        seq: 1,
        timestamp: new Date().toISOString(),
        type: 'execution-start',
        goal: 'g',
        rootTaskId: 'root',
        options: {},
      });
      await tracker.idle();
      const tracked = createApiMetrics(store, {
        streamClients: () => 0,
        trackingStats: () => ({ mlflow: tracker.stats(), otel: { enabled: false } }),
      });
      const { text } = await tracked.render();
      expect(text).toContain('roma_tracking_mlflow_deliveries{outcome="dropped"} 1');
      expect(text).toContain('roma_tracking_mlflow_deliveries{outcome="delivered"} 0');
      const untracked = await createApiMetrics(store, { streamClients: () => 0 }).render();
      expect(untracked.text).not.toMatch(/roma_tracking_mlflow_deliveries\{/);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
