// Entry point of the `roma` command: builds the program and turns a thrown error into one clear line.
import { isRomaError } from '../contracts/index.js';
import { buildProgram } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (isRomaError(error)) {
    console.error(`roma: ${error.toLine()}`);
  } else if (
    error &&
    typeof error === 'object' &&
    'code' in error &&
    String(error.code).startsWith('commander.')
  ) {
    // commander already printed its own message (unknown option, --help, --version).
    process.exitCode = 'exitCode' in error ? Number(error.exitCode) : 1;
  } else {
    console.error(`roma: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (process.exitCode === undefined) process.exitCode = 1;
}
