// Resolves the limits of one run from its options and the provider's defaults, and checks the language.
import { type CodeLanguage, RomaError } from '../contracts/index.js';
import type { SandboxDefaults, SandboxRunOptions } from './sandbox.js';

export type ResolvedDefaults = Readonly<SandboxDefaults>;

const BUILTIN_DEFAULTS: ResolvedDefaults = Object.freeze({
  timeoutMs: 30_000,
  memoryMb: 256,
  maxOutputChars: 20_000,
});

/**
 * Largest program `run()` accepts, in UTF-8 bytes, on every provider: generous for model-written code (a
 * model's whole reply is far smaller), and small enough that the isolate's TypeScript transpile (sucrase, in
 * the worker thread, ~250 bytes of heap per byte of dense input) stays well inside the worker's heap limit.
 */
export const MAX_PROGRAM_BYTES = 1024 * 1024;

/** Refuses a program above MAX_PROGRAM_BYTES before anything parses, transpiles or ships it. */
export function assertProgramSize(code: string): void {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: the exact count is needed only near the bound.
  if (code.length * 3 <= MAX_PROGRAM_BYTES) return;
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes <= MAX_PROGRAM_BYTES) return;
  throw new RomaError(
    'SANDBOX_LIMIT',
    `the program is ${bytes} bytes; a sandbox runs programs of at most ${MAX_PROGRAM_BYTES} bytes (1 MiB)`,
    {
      field: 'code',
      fix: 'send a smaller program: put large data in workspace files (writeFile) or fetch it through a host function, and read it at run time',
    },
  );
}

export function resolveDefaults(defaults: Partial<SandboxDefaults> | undefined): ResolvedDefaults {
  return Object.freeze({ ...BUILTIN_DEFAULTS, ...stripUndefined(defaults ?? {}) });
}

interface RunLimits {
  language: CodeLanguage;
  timeoutMs: number;
  memoryMb: number;
  maxOutputChars: number;
}

export function resolveRunLimits(
  defaults: ResolvedDefaults,
  options: SandboxRunOptions,
  languages: readonly CodeLanguage[],
): RunLimits {
  const language = options.language ?? languages[0]!;
  if (!languages.includes(language)) {
    throw new RomaError('VALIDATION_FAILED', `this sandbox provider does not run ${language}`, {
      field: 'language',
      fix: `use one of: ${languages.join(', ')}`,
    });
  }
  return {
    language,
    timeoutMs: positive(options.timeoutMs, defaults.timeoutMs, 'timeoutMs'),
    memoryMb: positive(options.memoryMb, defaults.memoryMb, 'memoryMb'),
    maxOutputChars: positive(options.maxOutputChars, defaults.maxOutputChars, 'maxOutputChars'),
  };
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RomaError('VALIDATION_FAILED', `${field} must be a positive number, got ${value}`, { field });
  }
  return Math.floor(value);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
