import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../../test/helpers/cli.js';
import { packOva } from '../../ova/index.js';

/**
 * Fixtures of the API conformance runner for the local host (and any subject that deploys): `smallOva`, the OVA of
 * test/fixtures/deploy/small.ovf (one system, a blank 1 MiB disk, a manifest), packed once per process.
 */

/** The descriptor the small OVA is packed from. */
export const SMALL_OVF = join(ROOT, 'test/fixtures/deploy/small.ovf');

let packed: Promise<Uint8Array> | undefined;

/**
 * The runner's `smallOva` fixture.
 *
 * @example
 * runApiConformance({ label, open, fixtures: { smallOva } });
 */
export function smallOva(): Promise<{ fileName: string; bytes: Uint8Array }> {
  packed ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vessel-small-ova-'));
    try {
      await packOva(SMALL_OVF, join(dir, 'small.ova'), { algorithm: 'sha256' });
      return new Uint8Array(await readFile(join(dir, 'small.ova')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return packed.then((bytes) => ({ fileName: 'small.ova', bytes }));
}
