import type { FieldKey } from './definition.js';

/**
 * Which field of the create form the host's refusal is about. The problem details name no field, so the text is
 * read: a define's message is `Invalid definition "NAME": WHAT` (model checks) or `Cannot define "NAME": WHAT`
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
  const id = /\b(?:drive|resource|item|adapter|NIC|device)\s+"([^"]{1,64})"/i.exec(what)?.[1];
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
