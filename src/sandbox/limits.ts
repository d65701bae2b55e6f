// Resolves the limits of one run from its options and the provider's defaults, and checks the language.
import { type CodeLanguage, RomaError } from '../contracts/index.js';
import type { SandboxDefaults, SandboxRunOptions } from './sandbox.js';

export type ResolvedDefaults = Readonly<SandboxDefaults>;

const BUILTIN_DEFAULTS: ResolvedDefaults = Object.freeze({
  timeoutMs: 30_000,
  memoryMb: 256,
  maxOutputChars: 20_000,
});

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
