import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DiskError, writeIsoImage } from '../../disk/index.js';
import { formatEnvironment, type OvfEnvironment } from '../../ovf/index.js';
import { HostError } from '../errors.js';

/** The volume label of the environment CD (what VMware and the test guest look for is the file, not the label). */
const OVF_ENV_VOLUME = 'OVF ENV';

/**
 * Writes the ISO transport of the OVF environment (DSP0243 §11.2): an ISO 9660 image (Rock Ridge and Joliet)
 * whose root holds `ovf-env.xml`, made by the disk module's ISO writer. The image is written to `isoPath` with
 * mode 0600, as the environment may carry password properties.
 *
 * @example
 * await writeEnvironmentIso('/var/lib/vessel/vms/UUID/ovf-env.iso', { id: 'web', properties: [], entities: [] });
 */
export async function writeEnvironmentIso(isoPath: string, env: OvfEnvironment): Promise<void> {
  const work = await mkdtemp(join(dirname(isoPath), '.ovf-env-'));
  try {
    const xml = join(work, 'ovf-env.xml');
    await writeFile(xml, formatEnvironment(env), { mode: 0o600 });
    await writeIsoImage(isoPath, [{ name: 'ovf-env.xml', path: xml }], {
      volumeId: OVF_ENV_VOLUME,
      mode: 0o600,
    });
  } catch (e) {
    const err = e as { message?: string; hint?: string };
    throw new HostError('DEPLOY_DISK', `Cannot write the OVF environment CD: ${err.message ?? String(e)}`, {
      cause: e,
      hint: e instanceof DiskError ? err.hint : undefined,
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
