import { OvaError } from './errors.js';
import { readAll } from './member-body.js';
import { MAX_DESCRIPTOR_BYTES } from './reader.js';
import { readTarEntries, type TarSource } from './tar-read.js';

/**
 * Reads only the descriptor of an OVA (its first member, which must be an `.ovf`), without reading further.
 * Does not verify the package: use `verifyOva` for that. Throws `OVA_NO_DESCRIPTOR`, `OVA_NOT_TAR`, ...
 *
 * @example
 * const { name, data } = await readOvaDescriptor('appliance.ova');
 * parseOvf(data, { file: `appliance.ova/${name}` });
 */
export async function readOvaDescriptor(source: TarSource): Promise<{ name: string; data: Buffer }> {
  const label = typeof source === 'string' ? source : 'package';
  for await (const entry of readTarEntries(source, label)) {
    if (!/\.ovf$/i.test(entry.name)) {
      throw new OvaError(
        'OVA_NO_DESCRIPTOR',
        `The first member of ${label} is "${entry.name}", not an OVF descriptor (.ovf)`,
        { member: entry.name },
      );
    }
    const data = await readAll(entry.body, MAX_DESCRIPTOR_BYTES, () => {
      return new OvaError(
        'OVA_TOO_LARGE',
        `The descriptor "${entry.name}" is over ${MAX_DESCRIPTOR_BYTES} bytes`,
      );
    });
    return { name: entry.name, data };
  }
  throw new OvaError('OVA_NOT_TAR', `${label} holds no files`);
}
