// Entry point of the `roma` command: builds the program and turns a thrown error into one clear line.

import { createSecretScrubber } from '../config/index.js';
import { isRomaError } from '../contracts/index.js';
import { buildProgram } from './program.js';

/** Values of the environment that look like credentials: never printed, whatever error carries them. */
function environmentSecrets(): string[] {
  return Object.entries(process.env)
    .filter(([name, value]) => value && /KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL/i.test(name))
    .map(([, value]) => value as string);
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const scrub = createSecretScrubber(environmentSecrets());
  if (isRomaError(error)) {
    console.error(scrub(`roma: ${error.toLine()}`));
  } else if (
    error &&
    typeof error === 'object' &&
    'code' in error &&
    String(error.code).startsWith('commander.')
  ) {
    // commander already printed its own message (unknown option, --help, --version).
    process.exitCode = 'exitCode' in error ? Number(error.exitCode) : 1;
  } else {
    console.error(scrub(`roma: ${error instanceof Error ? error.message : String(error)}`));
  }
  if (process.exitCode === undefined) process.exitCode = 1;
}
