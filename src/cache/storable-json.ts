// JSON for cache entries that keeps what JSON.stringify would lose: dates and byte arrays, tagged.

const TAG = '$roma';

/** Plain JSON data: Date → `{ $roma: 'date', iso }`, Uint8Array → `{ $roma: 'bytes', base64 }`, undefined dropped. */
export function toStorable(value: unknown, depth = 0): unknown {
  if (depth > 200) throw new Error('value nested deeper than 200 levels');
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (value instanceof Date) return { [TAG]: 'date', iso: value.toISOString() };
  if (value instanceof Uint8Array) return { [TAG]: 'bytes', base64: Buffer.from(value).toString('base64') };
  if (value instanceof URL) return value.toString();
  if (Array.isArray(value)) return value.map((item) => toStorable(item, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const storable = toStorable(member, depth + 1);
    if (storable !== undefined) out[key] = storable;
  }
  return out;
}

/**
 * The inverse of `toStorable`, on data that was already schema-checked, restoring dates and bytes **in place**:
 * `value` must be freshly parsed data that nobody else holds. Copying the whole tree again cost as much as
 * parsing it.
 */
export function restoreStorable(value: unknown, depth = 0): unknown {
  if (depth > 200) throw new Error('value nested deeper than 200 levels');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      if (item === null || typeof item !== 'object') continue;
      const restored = restoreStorable(item, depth + 1);
      if (restored !== item) value[index] = restored;
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  if (record[TAG] === 'date' && typeof record.iso === 'string') return new Date(record.iso);
  if (record[TAG] === 'bytes' && typeof record.base64 === 'string') {
    return new Uint8Array(Buffer.from(record.base64, 'base64'));
  }
  for (const key in record) {
    const member = record[key];
    if (member === null || typeof member !== 'object' || !Object.hasOwn(record, key)) continue;
    const restored = restoreStorable(member, depth + 1);
    if (restored === member) continue;
    // An own `__proto__` member (JSON.parse makes one) must stay a member: assigning it would set the prototype.
    Object.defineProperty(record, key, {
      value: restored,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return record;
}
