import type { Definition, FieldKey } from './definition.js';
import type { FieldError } from './http.js';

/** The form field of a system property the definition sets. */
const SYSTEM_FIELDS: Readonly<Record<string, FieldKey>> = { ElementName: 'name', Firmware: 'firmware' };

/**
 * The form fields the host's refusal names, from the problem's `errors` (RFC 6901 pointers into the definition the
 * form sent): `/system/ElementName` is the name, `/resources/N/...` the field the Nth resource came from (by its
 * InstanceID). Each field gets its members' details; a pointer to no field of the form is left out.
 *
 * @example
 * fieldsOfErrors([{ pointer: '/resources/1', detail: 'Memory must be at least 1 MiB' }], def, fieldOf);
 * // Map { 'memory' => 'Memory must be at least 1 MiB' }
 */
export function fieldsOfErrors(
  errors: readonly FieldError[],
  def: Definition,
  fieldOf: ReadonlyMap<string, FieldKey>,
): Map<FieldKey, string> {
  const out = new Map<FieldKey, string>();
  for (const e of errors) {
    const m =
      /^\/(?:system\/([A-Za-z]{1,64})|resources\/(\d{1,5})(?:\/properties\/([A-Za-z]{1,64}))?)(?:\/|$)/.exec(
        e.pointer,
      );
    const id = m?.[2] === undefined ? undefined : def.resources[Number(m[2])]?.properties.InstanceID;
    const member = typeof id === 'string' && m?.[3] !== undefined ? fieldOf.get(`${id}/${m[3]}`) : undefined;
    const key =
      m?.[1] !== undefined
        ? SYSTEM_FIELDS[m[1]]
        : typeof id === 'string'
          ? (member ?? fieldOf.get(id))
          : undefined;
    if (key === undefined) continue;
    const had = out.get(key);
    out.set(key, had === undefined ? e.detail : `${had}; ${e.detail}`);
  }
  return out;
}

/**
 * Which field of the create form the host's refusal is about, when its problem details name no member (`errors`;
 * see {@link fieldsOfErrors}: a refusal of a layer that does not say, such as a driver's), read from its text: a define's message is `Invalid definition "NAME": WHAT` (model checks) or `Cannot define "NAME": WHAT`
 * (host checks); a drive, NIC or other resource is named by its InstanceID (`Drive "4"`, `the image of drive "4"`,
 * `resource "5"`), which the form maps back to its row; a request the REST edge refuses names a JSON pointer
 * (`body/resources/3/...`, `body/system/ElementName`). Anything else is the form's as a whole (`form`).
 */
export function fieldOfProblem(
  code: string,
  message: string,
  fieldOf: ReadonlyMap<string, FieldKey>,
): FieldKey {
  if (code === 'VM_EXISTS') return 'name';
  const pointer = /^body\/(?:system\/(ElementName)|resources\/(\d{1,4}))\b/.exec(message);
  if (pointer?.[1] !== undefined) return 'name';
  if (pointer?.[2] !== undefined) return fieldOf.get(String(Number(pointer[2]) + 1)) ?? 'form';
  const what = message.replace(/^(?:Invalid definition|Cannot define) "(?:[^"\\]|\\.)*":\s*/, '');
  const id = /\b(?:drive|disk|resource|item|adapter|NIC|device)\s+"([^"]{1,64})"/i.exec(what)?.[1];
  const pool = id !== undefined && /\bstorage pool\b/i.test(what) ? fieldOf.get(`${id}/PoolID`) : undefined;
  if (pool !== undefined) return pool;
  if (id !== undefined && fieldOf.has(id)) return fieldOf.get(id)!;
  if (/^The name\b|\bname "/i.test(what)) return 'name';
  if (/virtual CPU|\bCPU count|\bCPUs?\b/i.test(what)) return 'cpus';
  if (/\bmemory\b/i.test(what)) return 'memory';
  if (/\bfirmware\b/i.test(what)) return 'firmware';
  if (/\bnetwork\b/i.test(what)) {
    const nic = [...fieldOf.values()].find((f) => f.startsWith('nic-'));
    if (nic !== undefined) return nic;
  }
  return 'form';
}
