import { FormatError } from './errors.js';
import type { FormatName } from './types.js';

const XML_ROOTS: Record<string, FormatName> = { Envelope: 'ovf', domain: 'libvirt', VirtualBox: 'vbox' };
const VMX_KEYS =
  /^\s*(\.encoding|config\.version|virtualhw\.version|displayname|guestos|memsize|numvcpus)\s*=/im;

/**
 * Tells which format a document is from its content: an OVF `<Envelope>`, a libvirt `<domain>`, a VirtualBox
 * `<VirtualBox>`, a Hyper-V definition (CIM-XML holding Msvm_VirtualSystemSettingData), a KubeVirt manifest
 * (YAML or JSON with `kind: VirtualMachine`), or vmx text. Throws `FORMAT_UNKNOWN` when it is none of them.
 *
 * @example
 * detectFormat('<domain type="kvm"><name>a</name></domain>'); // 'libvirt'
 */
export function detectFormat(input: string | Uint8Array, file?: string): FormatName {
  const head = (
    typeof input === 'string' ? input.slice(0, 65536) : Buffer.from(input.subarray(0, 65536)).toString('utf8')
  ).replace(/^\uFEFF/, '');
  const t = head.trimStart();
  if (t.startsWith('<')) {
    const root = /<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(
      t.replace(/<!--[\s\S]*?-->/g, ''),
    )?.[1];
    const f = root === undefined ? undefined : XML_ROOTS[root];
    if (f) return f;
    if (root === 'CIM' && head.includes('Msvm_VirtualSystemSettingData')) return 'hyperv';
    throw new FormatError(
      'FORMAT_UNKNOWN',
      `The XML root element <${root ?? '?'}> is none of OVF, libvirt, VirtualBox or a Hyper-V definition`,
      {
        location: { file, line: 1 },
      },
    );
  }
  if (
    /^\s*kind\s*:\s*["']?VirtualMachine["']?\s*(#.*)?$/m.test(head) ||
    /"kind"\s*:\s*"VirtualMachine"/.test(head)
  )
    return 'kubevirt';
  if (VMX_KEYS.test(head)) return 'vmx';
  throw new FormatError(
    'FORMAT_UNKNOWN',
    'The input is none of OVF, vmx, libvirt domain XML, VirtualBox .vbox, a Hyper-V definition or a KubeVirt VirtualMachine',
    {
      location: { file },
      hint: 'Name the input format with --from when it is one of these.',
    },
  );
}
