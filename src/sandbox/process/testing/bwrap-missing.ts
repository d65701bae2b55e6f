// Why the process sandbox cannot run on this machine (no usable bubblewrap), for tests that skip and say so.
import { isRomaError } from '../../../contracts/index.js';
import { probeBubblewrap, resolveBwrap } from '../environment.js';

/** What is missing and how to fix it; undefined where bubblewrap works. */
export function bwrapMissingReason(): string | undefined {
  try {
    const probe = probeBubblewrap(resolveBwrap());
    return probe.ok ? undefined : `${probe.detail} — ${probe.fix}`;
  } catch (error) {
    return isRomaError(error) ? `${error.message} — ${error.fix}` : String(error);
  }
}
