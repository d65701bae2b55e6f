// Reading model replies: program, test block, final answer; and the visible output bound.
import { describe, expect, it } from 'vitest';
import { boundOutput } from './output-bound.js';
import { parseReply } from './reply-parser.js';

describe('parseReply', () => {
  it('takes the first code block as the program and a block tagged test as its test', () => {
    const reply =
      'Plan:\n```ts\nconsole.log(1)\n```\nand\n```typescript test\nif (x !== 1) throw new Error()\n```';
    expect(parseReply(reply, 'typescript')).toEqual({
      kind: 'code',
      code: 'console.log(1)\n',
      test: 'if (x !== 1) throw new Error()\n',
      language: 'typescript',
    });
  });

  it('reads a final answer, and a reply without code as final', () => {
    expect(parseReply('Done.\nFINAL ANSWER: 42 orders', 'python')).toEqual({
      kind: 'final',
      answer: '42 orders',
    });
    expect(parseReply('It is 42.', 'python')).toEqual({ kind: 'final', answer: 'It is 42.' });
  });

  it('keeps Python plans in Python', () => {
    expect(parseReply('```\nprint(1)\n```', 'python')).toMatchObject({ kind: 'code', language: 'python' });
  });
});

describe('boundOutput', () => {
  it('keeps head and tail and says how much was cut', () => {
    const bounded = boundOutput(`${'a'.repeat(500)}END`, 100);
    expect(bounded.truncated).toBe(true);
    expect(bounded.text).toContain('[truncated 403 chars');
    expect(bounded.text.endsWith('END')).toBe(true);
    expect(boundOutput('short', 100)).toEqual({ text: 'short', truncated: false });
  });
});
