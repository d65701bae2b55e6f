// Test runner settings: tests sit beside the code; real Redis/Postgres tests use a unique prefix per run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
    // The AWS SDK announces that its 2027 releases will need Node 22; the suite runs on Node 20 on purpose
    // (users run 20, 22 and 24), so the notice says nothing about the code under test.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: process.env.VITEST_JSON_FILE ? ['default', ['json', { outputFile: process.env.VITEST_JSON_FILE }]] : ['default'],
  },
});
