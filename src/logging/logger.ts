// The pino logger of roma: to stderr (stdout stays for command output), JSON lines unless stderr is a terminal,
// secrets scrubbed from every line.
import {
  type DestinationStream,
  type LevelWithSilent,
  type Logger,
  pino,
  destination as pinoDestination,
} from 'pino';
import type { RomaConfig } from '../config/index.js';
import { createSecretScrubber, secretValuesOf } from '../config/index.js';
import { terminalDestination } from './terminal-lines.js';

export type { Logger } from 'pino';

type LogLevel = LevelWithSilent;

interface CreateLoggerOptions {
  level?: LogLevel;
  /** Logged as `name` on every line (e.g. `engine`, `ptc`). */
  name?: string;
  /** Values that must never appear in a log line; each occurrence is written as `***`. */
  secrets?: Iterable<string>;
  /**
   * The process's growing scrubber (`SecretList.redact`): values learnt after the logger was made (an MCP
   * server's substituted `${VAR}`, an OAuth token) are scrubbed too.
   */
  redact?: (text: string) => string;
  /**
   * Where lines go. Absent: stderr, synchronously (nothing is lost on exit) — JSON lines, or one readable line
   * per record when stderr is a terminal (`format: 'terminal'` forces that, `'json'` forces JSON).
   */
  destination?: DestinationStream;
  format?: 'json' | 'terminal';
}

/** A pino logger whose every line passes through a secret scrubber before it is written. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const scrub = createSecretScrubber(options.secrets ?? []);
  const format = options.format ?? (process.stderr.isTTY ? 'terminal' : 'json');
  const destination =
    options.destination ??
    (format === 'terminal' ? terminalDestination() : pinoDestination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level ?? 'info',
      ...(options.name === undefined ? {} : { name: options.name }),
      hooks: { streamWrite: options.redact ? (line) => options.redact!(scrub(line)) : scrub },
    },
    destination,
  );
}

/** A logger at the config's `server.logLevel` that scrubs every secret value found in the config. */
export function createLoggerFromConfig(
  config: RomaConfig,
  options: Omit<CreateLoggerOptions, 'level'> & { level?: LogLevel } = {},
): Logger {
  const secrets = [...secretValuesOf(config), ...(options.secrets ?? [])];
  return createLogger({ ...options, level: options.level ?? config.server.logLevel, secrets });
}
