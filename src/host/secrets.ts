import { allContents, parseOvf } from '../ovf/index.js';
import { DEPLOY_METADATA } from './deploy/deploy.js';
import { maskSecrets, SECRET_MASK, secretKeys } from './deploy/properties.js';
import type { Store } from './store.js';

/**
 * Password properties (`ovf:password="true"`, DSP0243 §9.5.1) live only in the OVF environment CD of the system
 * they were given to (`STATE/vms/UUID/ovf-env.iso`, mode 0600), which the guest needs at every boot; the store
 * keeps the other property values (export reads them) and `********` for a password. This masks the passwords an
 * older Vessel kept in the `ovf.properties` metadata, overwriting them on disk (secure_delete, then a truncating
 * WAL checkpoint). Returns the UUIDs of the systems it changed.
 *
 * @example
 * scrubStoredSecrets(store); // [] once every system is clean
 */
export function scrubStoredSecrets(store: Store): string[] {
  const changed: string[] = [];
  for (const { uuid } of store.listSummaries()) {
    const meta = store.getMetadata(uuid);
    const descriptor = meta[DEPLOY_METADATA.descriptor];
    const text = meta[DEPLOY_METADATA.properties];
    // Cheap test first: a descriptor without a password attribute has nothing to scrub.
    if (descriptor === undefined || text === undefined || !/password\s*=/.test(descriptor)) continue;
    let values: unknown;
    let secrets: Set<string>;
    try {
      values = JSON.parse(text);
      secrets = secretKeys(allContents(parseOvf(descriptor, { file: 'deployed descriptor' })));
    } catch {
      continue; // unreadable: export ignores it too, and there is nothing to tell apart
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) continue;
    const record = values as Record<string, string>;
    if (!Object.entries(record).some(([k, v]) => secrets.has(k) && v !== SECRET_MASK)) continue;
    store.setMetadata(uuid, DEPLOY_METADATA.properties, JSON.stringify(maskSecrets(record, secrets)));
    changed.push(uuid);
  }
  if (changed.length > 0) store.checkpoint();
  return changed;
}
