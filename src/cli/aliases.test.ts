import { describe, expect, it } from 'vitest';
import { expandOvftoolAliases } from './aliases.js';

const argv = (...a: string[]) => ['node', 'vessel', ...a];

describe('expandOvftoolAliases()', () => {
  it('splits --prop:K=V and --net:A=B of deploy, keeping "=" and spaces in values', () => {
    expect(
      expandOvftoolAliases(
        argv('deploy', 'a.ova', '--prop:ip=10.0.0.2', '--net:VM Network=lan', '--prop:x=a=b'),
      ),
    ).toEqual(argv('deploy', 'a.ova', '--prop', 'ip=10.0.0.2', '--net', 'VM Network=lan', '--prop', 'x=a=b'));
  });

  it('leaves other commands, the plain spellings and everything after -- alone', () => {
    expect(expandOvftoolAliases(argv('ovf', 'edit', '--prop:x=y'))).toEqual(
      argv('ovf', 'edit', '--prop:x=y'),
    );
    expect(expandOvftoolAliases(argv('deploy', 'a.ova', '--prop', 'k=v'))).toEqual(
      argv('deploy', 'a.ova', '--prop', 'k=v'),
    );
    expect(expandOvftoolAliases(argv('deploy', '--', '--prop:x=y'))).toEqual(
      argv('deploy', '--', '--prop:x=y'),
    );
    // An empty alias becomes an empty value, which deploy refuses as usage.
    expect(expandOvftoolAliases(argv('deploy', 'a.ova', '--net:'))).toEqual(
      argv('deploy', 'a.ova', '--net', ''),
    );
  });
});
