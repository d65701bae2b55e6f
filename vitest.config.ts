// Test runner settings: tests sit beside the code; real Redis/Postgres tests use a unique prefix per run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.VITEST_JSON_FILE ? ['default', ['json', { outputFile: process.env.VITEST_JSON_FILE }]] : ['default'],
  },
});
