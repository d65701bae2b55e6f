// Tool results as the program and a model get them: every content type kept, hostile shapes never throw.
import { describe, expect, it } from 'vitest';
import { base64Bytes, toToolCallOutput } from './tool-result.js';

describe('toToolCallOutput', () => {
  it('parses text-only JSON and keeps every part of mixed content', () => {
    expect(toToolCallOutput({ content: [{ type: 'text', text: '{"a":1}' }] }).value).toEqual({ a: 1 });
    const mixed = toToolCallOutput({
      content: [
        { type: 'text', text: 'here' },
        { type: 'image', data: 'AAEC', mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'x://t', mimeType: 'text/plain', text: 'body' } },
        { type: 'resource', resource: { uri: 'x://b', blob: 'AAE=' } },
        { type: 'resource_link', uri: 'x://l', name: 'link' },
      ],
    });
    expect(mixed.value).toEqual({
      text: 'here',
      content: [
        { type: 'text', text: 'here' },
        { type: 'image', mimeType: 'image/png', data: 'AAEC', bytes: 3 },
        { type: 'resource', uri: 'x://t', mimeType: 'text/plain', text: 'body' },
        { type: 'resource', uri: 'x://b', blob: 'AAE=', bytes: 2 },
        { type: 'resource_link', uri: 'x://l', name: 'link' },
      ],
    });
    expect(mixed.text).toBe(
      'here\n[image image/png, 3 bytes]\n[resource x://t text/plain]\nbody\n[resource x://b, 2 bytes]\n[resource link link: x://l]',
    );
  });

  it('counts base64 bytes without decoding', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100]) {
      const data = Buffer.alloc(length, 7).toString('base64');
      expect(base64Bytes(data)).toBe(length);
    }
  });

  it('never throws on hostile content shapes (fuzz)', () => {
    const samples: unknown[] = [null, 1, 'x', {}, [], [null], [{ type: 1 }], [{ type: 'image', data: 5 }]];
    let seed = 17;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = [
      undefined,
      null,
      0,
      'text',
      'image',
      'audio',
      'resource',
      'resource_link',
      {},
      [],
      'QUJD',
    ];
    for (let index = 0; index < 500; index += 1) {
      const part: Record<string, unknown> = {};
      for (const key of ['type', 'text', 'data', 'mimeType', 'resource', 'uri', 'name', 'blob']) {
        if (random() < 0.6) part[key] = values[Math.floor(random() * values.length)];
      }
      if (random() < 0.3) part.resource = { uri: values[Math.floor(random() * values.length)], blob: 'QQ==' };
      samples.push([part]);
    }
    for (const content of samples) {
      const output = toToolCallOutput({ content });
      expect(typeof output.text).toBe('string');
      expect(output.bytes).toBeGreaterThanOrEqual(0);
    }
  });
});
