// For store tests that check how a call fails: the typed error it rejected with, or a failure if it did not.
import type { RomaError } from '../../contracts/index.js';

export async function caught(promise: Promise<unknown>): Promise<RomaError> {
  try {
    await promise;
  } catch (error) {
    return error as RomaError;
  }
  throw new Error('expected the call to fail');
}
