// Text that roma did not write (guest output, tool results, model text) made safe to show on a terminal.

// Escape sequences as terminals parse them (ECMA-48), 7-bit and 8-bit introducers alike; each pattern is
// linear (no nested quantifiers). OSC/DCS/SOS/PM/APC strings run to their terminator, or to the end.
const CSI = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?/g;
const CONTROL_STRING = /(?:\x1b[\]P^_X]|[\x9d\x90\x9e\x9f\x98])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?/g;
const OTHER_ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]?/g;
// What is left: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and
// isolates that reorder what a line appears to say.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes every escape sequence (window title, clipboard OSC 52, hyperlinks, cursor moves, colours) and
 * control character from `text`, keeping tab and newline; `\r\n` becomes `\n` and a lone `\r` (which
 * would let a line overwrite itself) is dropped. The one helper for text roma did not write.
 */
export function terminalSafe(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(CONTROL_STRING, '')
    .replace(CSI, '')
    .replace(OTHER_ESCAPE, '')
    .replace(CONTROL, '');
}

/** Marks each line as the guest's, so no line of it can pass for one of roma's own (`roma: …`). */
export const GUEST_LINE_PREFIX = '│ ';

/** `terminalSafe`, then `GUEST_LINE_PREFIX` before every line (a final newline adds no empty line). */
export function guestLines(text: string): string {
  const safe = terminalSafe(text);
  if (safe === '') return '';
  const body = safe.endsWith('\n') ? safe.slice(0, -1) : safe;
  return `${body
    .split('\n')
    .map((line) => GUEST_LINE_PREFIX + line)
    .join('\n')}\n`;
}
