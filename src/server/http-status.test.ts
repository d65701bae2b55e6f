// Error codes map to the HTTP statuses clients rely on; the body carries code, field, retryable and fix.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RomaError } from '../contracts/index.js';
import { errorBody, errorResponse, httpStatusFor } from './http-status.js';

describe('httpStatusFor', () => {
  it('gives every error code a status, bad input as 4xx', () => {
    for (const code of ERROR_CODES) expect(httpStatusFor(code)).toBeGreaterThanOrEqual(400);
    expect(httpStatusFor('VALIDATION_FAILED')).toBe(400);
    expect(httpStatusFor('NOT_FOUND')).toBe(404);
    expect(httpStatusFor('CONFLICT')).toBe(409);
    expect(httpStatusFor('MODEL_NOT_CONFIGURED')).toBe(503);
    expect(httpStatusFor('something-new')).toBe(500);
  });

  it('puts the field, retryable flag and fix of a RomaError in the body', () => {
    const error = new RomaError('VALIDATION_FAILED', 'plan.limits.maxIterations: Too big', {
      field: 'plan.limits.maxIterations',
      fix: 'use 1 to 20',
    });
    expect(errorBody(error)).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'plan.limits.maxIterations: Too big',
        field: 'plan.limits.maxIterations',
        retryable: false,
        fix: 'use 1 to 20',
      },
    });
  });
});

describe('errorResponse', () => {
  it('answers JSON with the status of the code', async () => {
    const response = errorResponse({ code: 'NOT_FOUND', message: 'no run x', field: 'executionId' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'no run x', field: 'executionId' },
    });
  });
});
