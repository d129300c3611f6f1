import { expect, it } from 'vitest';

// The guard of test/setup/no-promise-expect.ts, which every test file loads.
it('refuses a synchronous matcher given a Promise, negated or not', () => {
  expect(() => expect(Promise.resolve(1)).toBeUndefined()).toThrow(/await the value first/);
  expect(() => expect(Promise.resolve(1)).not.toBeUndefined()).toThrow(/await the value first/);
  expect(() => expect(Promise.resolve([])).toEqual([])).toThrow(/await the value first/);
});

it('leaves .resolves, .rejects and plain values alone', async () => {
  await expect(Promise.resolve(1)).resolves.toBe(1);
  await expect(Promise.reject(new Error('x'))).rejects.toThrow('x');
  expect(undefined).toBeUndefined();
  expect({ a: 1, b: 2 }).toMatchObject({ a: 1 });
});
