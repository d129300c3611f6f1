import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';

/** The node flags of an `#!/usr/bin/env -S node FLAGS` line, or undefined when the line is not of that form. */
function shebangFlags(line: string): string[] | undefined {
  const m = /^#!\/usr\/bin\/env -S node((?: --[a-z-]+=\S+)*)$/.exec(line);
  return m === null ? undefined : (m[1] ?? '').split(' ').filter((f) => f !== '');
}

describe('the node flags of `vessel host serve`', () => {
  const main = readFileSync(join(ROOT, 'src', 'cli', 'main.ts'), 'utf8').split('\n')[0] ?? '';
  const flags = shebangFlags(main);

  it('are on the first line of the executable, with a larger young generation', () => {
    expect(flags).toContain('--max-semi-space-size=32');
  });

  it('are the same in the image’s vessel.service, before the script', () => {
    const unit = readFileSync(
      join(ROOT, 'scripts', 'image', 'rootfs', 'etc', 'systemd', 'system', 'vessel.service'),
      'utf8',
    );
    const exec = unit.split('\n').find((l) => l.startsWith('ExecStart='));
    expect(exec).toBe(
      `ExecStart=/usr/local/bin/node ${(flags ?? []).join(' ')} /opt/vessel/dist/src/cli/main.js host serve --state /var/lib/vessel --stop-vms`,
    );
  });

  it('survive the build (tsc keeps the first line)', () => {
    const built = readFileSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'utf8').split('\n')[0];
    expect(built).toBe(main);
  });

  it('reads only a plain flag list', () => {
    expect(shebangFlags('#!/usr/bin/env node')).toBeUndefined();
    expect(shebangFlags('#!/usr/bin/env -S node --a=1 --b-c=2')).toEqual(['--a=1', '--b-c=2']);
    expect(shebangFlags('#!/usr/bin/env -S node --a=1; rm -rf /')).toBeUndefined();
  });
});
