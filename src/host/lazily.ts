/**
 * `obj` with `key` added as a value computed on first read: the first read (or a write) makes it a plain data
 * property, so afterwards it behaves like any other field (spread, JSON, structuredClone and equality see the
 * value). What lets a store read skip parsing a definition nobody looks at.
 *
 * @example
 * const vm = lazily({ uuid }, 'definition', () => JSON.parse(text) as VirtualSystemDefinition);
 */
export function lazily<T extends object, K extends string, V>(
  obj: T,
  key: K,
  compute: () => V,
): T & Record<K, V> {
  const settle = (value: V): V => {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(obj, key, {
    get: () => settle(compute()),
    set: settle,
    enumerable: true,
    configurable: true,
  });
  return obj as T & Record<K, V>;
}
