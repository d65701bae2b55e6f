// `roma schema export <dir>` writes one valid draft 2020-12 JSON Schema per contract that accepts good input.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PUBLIC_CONTRACTS } from '../../contracts/index.js';
import { runRoma } from './cli-test-support.js';
import { writeSchemaFiles } from './schema.js';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'roma-schemas-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function readSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(directory)) {
    out[file.replace(/\.schema\.json$/, '')] = JSON.parse(readFileSync(join(directory, file), 'utf8'));
  }
  return out;
}

const GOOD_INPUTS: Record<string, unknown> = {
  TaskNode: {
    id: 't1',
    executionId: 'e1',
    parentId: null,
    goal: 'g',
    depth: 0,
    maxDepth: 1,
    taskType: 'WRITE',
    nodeType: 'EXECUTE',
    status: 'COMPLETED',
    usage: {},
    createdAt: '2026-01-01T00:00:00Z',
  },
  PTCExecutionPlan: { planId: 'p', executionId: 'e', taskId: 't', goal: 'g', limits: { maxIterations: 3 } },
  StreamEvent: {
    type: 'warning',
    executionId: 'e',
    seq: 1,
    timestamp: '2026-01-01T00:00:00Z',
    code: 'X',
    message: 'm',
  },
  TokenUsage: { inputTokens: 1 },
  SolveRequest: { goal: 'g', maxDepth: 2 },
};

const BAD_INPUTS: Record<string, unknown> = {
  PTCExecutionPlan: { planId: 'p', executionId: 'e', taskId: 't', goal: 'g', limits: { maxIterations: 21 } },
  StreamEvent: { type: 'nope', executionId: 'e', seq: 1, timestamp: '2026-01-01T00:00:00Z' },
  TokenUsage: { inputTokens: -1 },
  SolveRequest: { goal: 'g', extra: true },
};

describe('roma schema export', () => {
  it('writes valid draft 2020-12 schemas that agree with the zod contracts', () => {
    const files = writeSchemaFiles(directory);
    expect(files).toHaveLength(Object.keys(PUBLIC_CONTRACTS).length);
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    for (const [name, schema] of Object.entries(readSchemas())) {
      expect(schema.$schema, name).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      const validate = ajv.compile(schema);
      if (name in GOOD_INPUTS)
        expect(validate(GOOD_INPUTS[name]), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      if (name in BAD_INPUTS) expect(validate(BAD_INPUTS[name]), name).toBe(false);
    }
  });

  it('works from the command line into a given directory', () => {
    const target = join(directory, 'out');
    const run = runRoma(['schema', 'export', target], { cwd: directory });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(target).sort()).toEqual(
      Object.keys(PUBLIC_CONTRACTS)
        .map((name) => `${name}.schema.json`)
        .sort(),
    );
    expect(run.stdout.trim().split('\n')).toHaveLength(Object.keys(PUBLIC_CONTRACTS).length);
  });
});
