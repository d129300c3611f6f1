import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { formatEnvironment, type OvfEnvironment } from '../../ovf/index.js';
import { HostError } from '../errors.js';

const run = promisify(execFile);

/** The volume label of the environment CD (what VMware and the test guest look for is the file, not the label). */
const OVF_ENV_VOLUME = 'OVF ENV';

/**
 * Writes the ISO transport of the OVF environment (DSP0243 §11.2): an ISO 9660 image (Rock Ridge and Joliet)
 * whose root holds `ovf-env.xml`, made with genisoimage. The image is written to `isoPath` with mode 0600, as the
 * environment may carry password properties.
 *
 * @example
 * await writeEnvironmentIso('/var/lib/vessel/vms/UUID/ovf-env.iso', { id: 'web', properties: [], entities: [] });
 */
export async function writeEnvironmentIso(isoPath: string, env: OvfEnvironment): Promise<void> {
  const work = await mkdtemp(join(dirname(isoPath), '.ovf-env-'));
  try {
    const xml = join(work, 'ovf-env.xml');
    await writeFile(xml, formatEnvironment(env), { mode: 0o600 });
    await run('genisoimage', ['-quiet', '-V', OVF_ENV_VOLUME, '-r', '-J', '-o', isoPath, xml], {
      timeout: 60_000,
    });
    await chmod(isoPath, 0o600);
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message?: string };
    throw new HostError(
      'DEPLOY_DISK',
      err.code === 'ENOENT'
        ? 'Cannot write the OVF environment CD: genisoimage is not installed'
        : `Cannot write the OVF environment CD: ${(err.stderr || err.message || String(e)).trim()}`,
      { cause: e, hint: err.code === 'ENOENT' ? 'apt-get install genisoimage' : undefined },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
