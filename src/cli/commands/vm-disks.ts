import { type NewDiskSpec, parseSize, VesselError } from '../../model/index.js';

/**
 * Parses `vm define --new-disk SIZE[,pool=NAME]`: a new, empty disk the host creates (a qcow2 of SIZE in the pool,
 * the default pool when none is named), e.g. `8G`, `512M,pool=fast`. A bad size or option is a usage error.
 *
 * @example
 * parseNewDisk('8G,pool=fast'); // { capacityBytes: 8589934592n, pool: 'fast' }
 */
export function parseNewDisk(text: string): NewDiskSpec {
  const [size = '', ...opts] = text.split(',');
  let capacityBytes: bigint;
  try {
    capacityBytes = parseSize(size);
  } catch (e) {
    throw new VesselError('USAGE', `--new-disk "${text.slice(0, 80)}": ${(e as Error).message}`);
  }
  const spec: NewDiskSpec = { capacityBytes };
  for (const o of opts) {
    const eq = o.indexOf('=');
    const [k, v] = eq < 0 ? [o, ''] : [o.slice(0, eq), o.slice(eq + 1)];
    if (k === 'pool' && v !== '' && spec.pool === undefined) spec.pool = v;
    else
      throw new VesselError(
        'USAGE',
        `--new-disk "${text.slice(0, 80)}": unknown or repeated option "${o.slice(0, 40)}"; use SIZE[,pool=NAME]`,
      );
  }
  return spec;
}
