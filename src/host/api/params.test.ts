import { describe, expect, it } from 'vitest';
import { checkParams } from './params.js';

describe('checkParams', () => {
  it('accepts a plain argument again and again, and keeps refusing a bad one after good ones were accepted', () => {
    for (let i = 0; i < 3; i++) expect(() => checkParams('systems.get', ['vm1'])).not.toThrow();
    for (const bad of [['a/b'], ['x'.repeat(300)], [], [undefined], [5], ['nul\u0000']]) {
      for (let i = 0; i < 2; i++)
        expect(() => checkParams('systems.get', bad)).toThrow(/Invalid parameters of systems\.get: \/ref/);
    }
    expect(() => checkParams('systems.get', ['vm1'])).not.toThrow();
  });

  it('keeps what one method accepted to that method', () => {
    expect(() => checkParams('host.capabilities', [])).not.toThrow();
    // No argument is fine for host.capabilities, never for systems.get.
    expect(() => checkParams('systems.get', [])).toThrow(/Expected required property/);
  });

  it('still refuses after more accepted arguments than it keeps', () => {
    for (let i = 0; i < 600; i++) checkParams('systems.get', [`vm${i}`]);
    expect(() => checkParams('systems.get', ['a/b'])).toThrow(/Invalid parameters/);
    expect(() => checkParams('systems.get', ['vm599'])).not.toThrow();
  });

  it('checks object arguments every time', () => {
    expect(() => checkParams('systems.list', [{ limit: 2 }])).not.toThrow();
    expect(() => checkParams('systems.list', [{ limit: -1 }])).toThrow(/Invalid parameters of systems\.list/);
  });
});
