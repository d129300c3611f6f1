import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { openDriver } from '../index.js';
import { TEST_INVENTORY_FILE } from './open.js';

const root = mkdtempSync(join(tmpdir(), 'vessel-test-inv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What opening test:///default?owns=1 on a state directory whose inventory file holds `content` fails with. */
async function openWith(name: string, content: string | number): Promise<unknown> {
  const state = join(root, name);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state);
  const file = join(state, TEST_INVENTORY_FILE);
  if (typeof content === 'string') writeFileSync(file, content);
  else {
    const fd = openSync(file, 'w');
    ftruncateSync(fd, content);
    closeSync(fd);
  }
  return openDriver('test:///default?owns=1', { stateDir: state }).then(
    () => 'opened',
    (e: unknown) => e,
  );
}

describe('the test driver inventory file (owns=1)', () => {
  it('refuses a file that is not JSON, has no systems list, or is oversized, naming it', async () => {
    expect(await openWith('a', '{')).toMatchObject({
      code: 'DEFINITION_INVALID',
      message: expect.stringMatching(/test-inventory\.json is not JSON/),
    });
    expect(await openWith('b', '{"systems": 3}')).toMatchObject({
      code: 'DEFINITION_INVALID',
      message: expect.stringMatching(/test-inventory\.json has no "systems" list$/),
    });
    expect(await openWith('c', (64 << 20) + 1)).toMatchObject({
      code: 'DEFINITION_INVALID',
      message: expect.stringMatching(/test-inventory\.json is larger than 67108864 bytes$/),
    });
  });

  it('is written private, and read again by a driver opened later', async () => {
    const state = join(root, 'ok');
    mkdirSync(state);
    const d = await openDriver('test:///default?owns=1', { stateDir: state });
    await d.define(buildDefinition({ name: 'kept', cpus: 1, memoryBytes: 64n << 20n }));
    await d.close();
    expect(statSync(join(state, TEST_INVENTORY_FILE)).mode & 0o777).toBe(0o600);
    const again = await openDriver('test:///default?owns=1', { stateDir: state });
    expect((await again.list()).map((x) => [x.name, x.state])).toEqual([['kept', 'stopped']]);
    await again.close();
  });
});
