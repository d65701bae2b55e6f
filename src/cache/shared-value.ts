// A decoded cache entry kept in memory is shared by every hit: frozen where it is kept, copied where it is handed out.

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Freezes plain objects and arrays at every depth, so that no reader (nor a bug of ours) changes the kept value.
 * Byte arrays cannot be frozen and a Date's time can still be set: `copySharedValue` is what protects those.
 */
export function deepFreeze<T>(value: T, depth = 0): T {
  if (depth > 200) throw new Error('value nested deeper than 200 levels');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item, depth + 1);
  } else if (value instanceof Date) {
    // A Date has no members; freezing it only stops new ones.
  } else if (isPlainObject(value)) {
    for (const member of Object.values(value)) deepFreeze(member, depth + 1);
  } else {
    return value;
  }
  return Object.freeze(value);
}

/**
 * A private copy of decoded entry data: plain objects, arrays, dates and byte arrays are copied at every depth,
 * strings and numbers are immutable anyway. The copy is mutable, as a freshly decoded value would be.
 */
export function copySharedValue<T>(value: T, depth = 0): T {
  if (depth > 200) throw new Error('value nested deeper than 200 levels');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let index = 0; index < value.length; index += 1)
      copy[index] = copySharedValue(value[index], depth + 1);
    return copy as T;
  }
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const member = copySharedValue((value as Record<string, unknown>)[key], depth + 1);
    // JSON.parse makes an own `__proto__` member; assigning one would set the copy's prototype instead.
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: member,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = member;
  }
  return copy as T;
}
