// A coordinator takes a step-done message from its run's channel only when it is one.
import { describe, expect, it } from 'vitest';
import { decodeStepDone } from './step-job.js';

describe('decodeStepDone', () => {
  it('reads a finished job: its result, or its failure text', () => {
    const result = { output: { result: 'd1 OK' }, worker: 'host:1', fromLog: false };
    expect(decodeStepDone(JSON.stringify({ jobId: 'run~1~root~execute~0', result }))).toEqual({
      jobId: 'run~1~root~execute~0',
      result,
    });
    expect(decodeStepDone(JSON.stringify({ jobId: 'j', failure: '{"code":"TIMEOUT"}' }))).toEqual({
      jobId: 'j',
      failure: '{"code":"TIMEOUT"}',
    });
  });

  it.each([
    ['not JSON', 'step done'],
    ['not an object', '["j"]'],
    ['null', 'null'],
    ['no job id', JSON.stringify({ result: {} })],
    ['an empty job id', JSON.stringify({ jobId: '', result: {} })],
    ['a job id that is not text', JSON.stringify({ jobId: 7, result: {} })],
    ['a failure that is not text', JSON.stringify({ jobId: 'j', failure: { code: 'X' } })],
    ['a member it does not know', JSON.stringify({ jobId: 'j', result: {}, extra: true })],
  ])('ignores a message with %s', (_what, text) => {
    expect(decodeStepDone(text)).toBeUndefined();
  });
});
