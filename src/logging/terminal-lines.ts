// On a terminal, a log line is one short sentence for a person; anywhere else it stays a JSON line for machines.
import type { DestinationStream } from 'pino';

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};
const SHOWN_AS_IS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg']);

/** `roma <name>: <level>: <msg> (key=value …)` from one pino JSON line; the line itself when it is not JSON. */
export function terminalLine(jsonLine: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine;
  }
  // The part of the process that speaks (`cache`), else the process (`cli`, `server`…).
  const speaker = typeof record.component === 'string' ? record.component : record.name;
  const name = typeof speaker === 'string' ? ` ${speaker}` : '';
  const level =
    typeof record.level === 'number' ? (LEVEL_NAMES[record.level] ?? String(record.level)) : 'info';
  const prefix = level === 'info' ? '' : `${level}: `;
  const extras = Object.entries(record)
    .filter(([key]) => !SHOWN_AS_IS.has(key))
    .map(([key, value]) => {
      if (key === 'err' && value && typeof value === 'object' && 'message' in value)
        return `error=${String((value as { message: unknown }).message)}`;
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    });
  const message = typeof record.msg === 'string' ? record.msg : '';
  return `roma${name}: ${prefix}${message}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}\n`;
}

/** A destination that writes `terminalLine`s to `write` (stderr by default), synchronously. */
export function terminalDestination(
  write: (text: string) => void = (text) => void process.stderr.write(text),
): DestinationStream {
  return { write: (line: string) => write(terminalLine(line)) };
}
