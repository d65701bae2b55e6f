// A kept decoded entry is frozen where it is kept and copied where it is handed out.
import { describe, expect, it } from 'vitest';
import { copySharedValue, deepFreeze } from './shared-value.js';

const sample = () => ({
  content: [{ type: 'text', text: 'hi', providerMetadata: { openai: { id: 'x' } } }],
  response: { timestamp: new Date(5) },
  file: { data: new Uint8Array([1, 2]) },
  ...(JSON.parse('{"__proto__":{"own":true}}') as object),
});

describe('copySharedValue', () => {
  it('copies every object, array, date and byte array, keeping what they hold', () => {
    const shared = deepFreeze(sample());
    const copy = copySharedValue(shared);
    expect(copy).toEqual(shared);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    copy.content[0]!.text = 'changed';
    copy.content[0]!.providerMetadata.openai.id = 'y';
    copy.content.push({ type: 'text', text: 'more', providerMetadata: { openai: { id: 'z' } } });
    copy.response.timestamp.setTime(0);
    copy.file.data[0] = 9;
    expect(shared).toEqual(sample());
  });
});

describe('deepFreeze', () => {
  it('freezes plain objects and arrays at every depth, and leaves byte arrays alone', () => {
    const frozen = deepFreeze(sample());
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(Object.isFrozen(frozen.content)).toBe(true);
    expect(Object.isFrozen(frozen.content[0]?.providerMetadata.openai)).toBe(true);
    expect(Object.isFrozen(frozen.file.data)).toBe(false);
    expect(() => {
      (frozen.content[0] as { text: string }).text = 'changed';
    }).toThrow(TypeError);
  });
});
