// The `roma` command line: the program (for embedding or tests); `main.ts` is the executable entry.
export { buildProgram } from './program.js';
