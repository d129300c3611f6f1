/**
 * A guard for every test: a synchronous matcher given a Promise (`expect(driver.lookup(x)).toBeUndefined()`)
 * judges the Promise object, not its value, so such a check can pass whatever the code does. Since driver reads
 * became async that mistake compiles silently; this setup file makes it fail loudly instead. `.resolves` and
 * `.rejects` are untouched.
 */
import { chai } from 'vitest';

const MATCHERS = [
  'toBe',
  'toEqual',
  'toStrictEqual',
  'toBeUndefined',
  'toBeDefined',
  'toBeTruthy',
  'toBeFalsy',
  'toBeNull',
  'toMatchObject',
  'toHaveLength',
  'toContain',
  'toContainEqual',
  'toHaveProperty',
  'toMatch',
];

chai.use((c, utils) => {
  for (const name of MATCHERS) {
    c.Assertion.overwriteMethod(
      name,
      (original: (...a: unknown[]) => unknown) =>
        function (this: object, ...args: unknown[]) {
          const value = utils.flag(this, 'object') as { then?: unknown } | undefined;
          const promise = utils.flag(this, 'promise') as string | undefined;
          if (promise === undefined && value !== null && typeof value?.then === 'function') {
            throw new Error(`expect(...).${name}() was given a Promise: await the value first`);
          }
          return original.apply(this, args);
        },
    );
  }
});
