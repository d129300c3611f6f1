import { ApiError, decodeParams } from '../../../api/index.js';
import { CimError, metadataEntries, metadataMap, metadataTag } from '../../../cim/index.js';
import type { Inventory } from './inventory.js';
import type { CimSession } from './session.js';

/**
 * A system's metadata over CIM-XML and WS-Man, through Vessel's extension of the VSSD (src/cim/metadata.ts): read
 * as its Metadata property, changed by ModifySystemSettings with the whole list and the MetadataTag it was read
 * with. A host that changed it meanwhile refuses the call and changes nothing; the client then reads again and
 * makes its one change on what is there now, so concurrent editors of different keys keep both changes.
 */

/** How many times a change is tried when others keep changing the metadata under it. */
const ATTEMPTS = 8;

interface Read {
  map: Record<string, string>;
  tag: string;
  vssd: { className: string; id: string };
}

async function read(s: CimSession, inv: Inventory, ref: string, verb: string): Promise<Read> {
  const x = await inv.find(ref);
  const { vssd } = await inv.settings(x);
  const cls = await s.classOf(vssd.className);
  const entries = vssd.properties.Metadata;
  if (cls?.propertyIndex.has('metadata') !== true || (entries !== undefined && !Array.isArray(entries)))
    throw new ApiError(
      'NOT_SUPPORTED',
      `Cannot ${verb} the metadata of "${x.summary.name}" over ${s.encoding}: ${s.where}'s ${vssd.className} has no Metadata (a Vessel extension; the DMTF profiles DSP1042, DSP1057 have none)`,
      { hint: 'Use the host itself (vessel:///STATE) for this' },
    );
  let map: Record<string, string>;
  try {
    map = metadataMap((entries ?? []).map(String));
  } catch (e) {
    throw new ApiError(
      'PROTOCOL',
      `${s.where} sent Metadata that is not key=value text: ${e instanceof CimError ? e.message : String(e)}`,
    );
  }
  const id = vssd.path.keys.InstanceID;
  return { map, tag: metadataTag(map), vssd: { className: vssd.className, id: String(id) } };
}

/**
 * The metadata of a system: key to value.
 *
 * @example
 * await readMetadata(s, inv, 'web1'); // { 'ovf.configuration': 'small' }
 */
export async function readMetadata(
  s: CimSession,
  inv: Inventory,
  ref: string,
): Promise<Record<string, string>> {
  return (await read(s, inv, ref, 'read')).map;
}

/**
 * Sets (a string) or removes (undefined) one key. The Api's limits are checked here first, so that a key or value
 * the host would refuse gets the same INVALID_ARGUMENT without a call.
 *
 * @example
 * await changeMetadata(s, inv, 'web1', 'app.role', 'web');
 */
export async function changeMetadata(
  s: CimSession,
  inv: Inventory,
  ref: string,
  key: string,
  value: string | undefined,
): Promise<void> {
  decodeParams('systems.setMetadata', { ref, key, ...(value === undefined ? {} : { value }) });
  const vsms = await inv.service();
  for (let attempt = 1; ; attempt++) {
    const now = await read(s, inv, ref, 'change');
    const next = { ...now.map };
    if (value === undefined) delete next[key];
    else next[key] = value;
    const ctx = {
      what: `Cannot change the metadata "${key.slice(0, 64)}" of "${ref}"`,
      invalid: 'INVALID_ARGUMENT',
    } as const;
    const inst = {
      className: now.vssd.className,
      properties: { InstanceID: now.vssd.id, Metadata: metadataEntries(next), MetadataTag: now.tag },
    };
    try {
      const outcome = await s.call(ctx, (c) =>
        c.invokeMethod(
          vsms,
          'ModifySystemSettings',
          { SystemSettings: { type: 'string', embedded: true, value: inst } },
          s.lookup,
        ),
      );
      if (outcome.returnValue !== 0)
        throw new ApiError(
          'HYPERVISOR_FAILED',
          `${ctx.what}: ${s.where}'s ModifySystemSettings answered ${outcome.returnValue}`,
        );
      return;
    } catch (e) {
      // Changed by another caller since it was read (a stale MetadataTag): read again and retry.
      if (attempt >= ATTEMPTS || (await read(s, inv, ref, 'change')).tag === now.tag) throw e;
    }
  }
}
