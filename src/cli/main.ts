// Entry point of the `roma` command: builds the program and turns a thrown error into one clear line.

import { applyDotEnv, createSecretScrubber } from '../config/index.js';
import { isRomaError } from '../contracts/index.js';
import { buildProgram } from './program.js';
import { errorLine } from './render/index.js';

/** Values of the environment that look like credentials: never printed, whatever error carries them. */
function environmentSecrets(): string[] {
  return Object.entries(process.env)
    .filter(([name, value]) => value && /KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL/i.test(name))
    .map(([, value]) => value as string);
}

// `roma runs export <id> | head` closes the pipe early: end quietly, as Unix tools do, instead of a stack
// trace. An interrupted run stays resumable (`roma runs resume`), like after any other crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  // `.env` first, so that everything reading the environment (config, child processes, secret scrubbing)
  // sees the same values; variables already set win.
  applyDotEnv(process.cwd());
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const scrub = createSecretScrubber(environmentSecrets());
  if (isRomaError(error)) {
    console.error(scrub(errorLine(error)));
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

// Node 24 tears its environment down before better-sqlite3 12's statement destructors run, which then abort
// the process ("Assertion failed: (env) != nullptr", WiseLibs/better-sqlite3#1515) after the command has
// finished and its stores are closed. Exiting explicitly skips that teardown; stdout and stderr are
// synchronous on Linux for files, pipes and terminals, so nothing written is lost.
if (Number(process.versions.node.split('.')[0]) >= 24) process.exit(process.exitCode ?? 0);
