import { describe, expect, it } from 'vitest';
import { XmlError } from '../xml/index.js';
import { convert } from './convert.js';
import { FormatError } from './errors.js';
import type { FormatName } from './types.js';

/** The error a conversion throws (a FormatError, or an XmlError from the hardened XML reader). */
function failure(input: string, from: FormatName, to: FormatName = 'ovf'): FormatError | XmlError {
  try {
    convert(input, { from, to, file: 'in' });
  } catch (e) {
    if (e instanceof FormatError || e instanceof XmlError) return e;
    throw e;
  }
  throw new Error('expected the conversion to fail');
}

const vmx = (extra: string) =>
  `config.version = "8"\ndisplayName = "x"\nnumvcpus = "1"\nmemsize = "512"\nscsi0.present = "TRUE"\n${extra}`;
const xxe = (root: string) =>
  `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n${root.replace('NAME', '&e;')}`;
const kube = (domain: string, extra = '') => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: x
spec:
${extra}  template:
    spec:
      domain:
${domain}
`;

describe('hostile and malformed inputs give clear errors', () => {
  it.each([
    ['libvirt', '<domain type="kvm"><name>NAME</name><memory>1024</memory></domain>'],
    ['vbox', '<VirtualBox xmlns="http://www.virtualbox.org/"><Machine name="NAME"/></VirtualBox>'],
    [
      'hyperv',
      '<CIM><INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"><PROPERTY NAME="ElementName"><VALUE>NAME</VALUE></PROPERTY></INSTANCE></CIM>',
    ],
  ] as const)('refuses a DOCTYPE with an external entity (XXE) in %s XML', (from, root) => {
    const e = failure(xxe(root), from);
    expect(e.code).toBe('XML_DOCTYPE');
    expect(e.location?.line).toBe(2);
  });

  it('refuses vmx values of the wrong type, with the line', () => {
    const e = failure(vmx('numvcpus = "two"\n'), 'vmx');
    expect(e.code).toBe('FORMAT_INVALID');
    expect(e.message).toContain('numvcpus is "two", not a whole number');
    expect(e.location?.line).toBe(6);
  });

  it('refuses huge vmx memory and CPU counts', () => {
    expect(failure(vmx('memsize = "99999999999999999999"\n'), 'vmx').code).toBe('FORMAT_INVALID');
    expect(failure(vmx('numvcpus = "1000000"\n'), 'vmx').message).toContain('outside 1..4096');
  });

  it('refuses vmx lines that are not key = value, and bad |XX escapes', () => {
    expect(failure(vmx('this is not vmx\n'), 'vmx').code).toBe('FORMAT_SYNTAX');
    expect(failure(vmx('annotation = "a|zz"\n'), 'vmx').code).toBe('FORMAT_SYNTAX');
    expect(failure(vmx('annotation = "open\n'), 'vmx').code).toBe('FORMAT_SYNTAX');
  });

  it('refuses a vmx file over 1 MiB', () => {
    expect(failure(vmx(`annotation = "${'a'.repeat(2 << 20)}"\n`), 'vmx').code).toBe('FORMAT_TOO_LARGE');
  });

  it.each([
    ['vmx', vmx('scsi0:0.present = "TRUE"\nscsi0:0.fileName = "../../etc/shadow"\n')],
    [
      'libvirt',
      '<domain><name>x</name><memory>1024</memory><devices><disk device="disk"><source file="/var/lib/libvirt/images/../../../etc/shadow"/><target dev="vda" bus="virtio"/></disk></devices></domain>',
    ],
    [
      'vbox',
      '<VirtualBox xmlns="http://www.virtualbox.org/"><Machine name="x"><MediaRegistry><HardDisks><HardDisk uuid="{1}" location="..\\..\\secret.vdi"/></HardDisks></MediaRegistry><Hardware><Memory RAMSize="64"/></Hardware><StorageControllers><StorageController name="SATA" type="AHCI"><AttachedDevice type="HardDisk" port="0" device="0"><Image uuid="{1}"/></AttachedDevice></StorageController></StorageControllers></Machine></VirtualBox>',
    ],
    [
      'kubevirt',
      kube(
        '        memory: {guest: 1Gi}\n        devices:\n          disks: [{name: d, disk: {bus: virtio}}]\n      volumes: [{name: d, dataVolume: {name: dv}}]',
        '  dataVolumeTemplates:\n    - metadata: {name: dv, annotations: {vessel/image-file: ../../x.img}}\n      spec: {storage: {resources: {requests: {storage: 1Gi}}}}\n',
      ),
    ],
  ] as const)('refuses a disk file name that climbs out of its folder in %s', (from, input) => {
    const e = failure(input, from);
    expect(e.code).toBe('FORMAT_UNSAFE_PATH');
    expect(e.message).toContain('climbs out of its folder');
  });

  it('refuses a file name with control characters', () => {
    expect(
      failure(vmx('scsi0:0.present = "TRUE"\nscsi0:0.fileName = "a|0Ab.vmdk"\n'), 'vmx').message,
    ).toContain('control character');
  });

  it('refuses libvirt memory beyond any host and in unknown units', () => {
    expect(failure('<domain><name>x</name><memory unit="TiB">999999</memory></domain>', 'libvirt').code).toBe(
      'FORMAT_INVALID',
    );
    expect(
      failure('<domain><name>x</name><memory unit="furlong">1</memory></domain>', 'libvirt').message,
    ).toContain('not a libvirt unit');
  });

  it('refuses Hyper-V values that do not match their CIM type', () => {
    const doc = `<CIM><DECLARATION><DECLGROUP><VALUE.OBJECT><INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>x</VALUE></PROPERTY></INSTANCE></VALUE.OBJECT><VALUE.OBJECT><INSTANCE CLASSNAME="Msvm_MemorySettingData"><PROPERTY NAME="ResourceType" TYPE="uint16"><VALUE>4</VALUE></PROPERTY><PROPERTY NAME="VirtualQuantity" TYPE="uint64"><VALUE>lots</VALUE></PROPERTY></INSTANCE></VALUE.OBJECT></DECLGROUP></DECLARATION></CIM>`;
    const e = failure(doc, 'hyperv');
    expect(e.code).toBe('FORMAT_INVALID');
    expect(e.message).toContain('not a uint64');
  });

  it('refuses a YAML alias bomb (billion laughs) in a KubeVirt manifest', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(
        `${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`,
      );
    }
    const e = failure(`kind: VirtualMachine\napiVersion: kubevirt.io/v1\n${levels.join('\n')}\n`, 'kubevirt');
    expect(e.code).toBe('FORMAT_TOO_LARGE');
    expect(e.message).toContain('aliases');
  });

  it('refuses deeply nested YAML without overflowing the stack', () => {
    const e = failure(`kind: VirtualMachine\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'kubevirt');
    expect(['FORMAT_TOO_LARGE', 'FORMAT_SYNTAX']).toContain(e.code);
  });

  it('refuses KubeVirt fields of the wrong type, naming the path', () => {
    const e = failure(kube('        cpu: {cores: "two"}\n        memory: {guest: 1Gi}'), 'kubevirt');
    expect(e.code).toBe('FORMAT_INVALID');
    expect(e.message).toBe('domain.cpu.cores must be a whole number from 1 to 4096');
    expect(failure(kube('        memory: {guest: lots}'), 'kubevirt').message).toContain('not a quantity');
    expect(failure(kube('        memory: {guest: "0.5"}'), 'kubevirt').message).toContain(
      'not a whole number of bytes',
    );
  });

  it('refuses duplicate YAML keys and YAML that is not well formed', () => {
    expect(failure(kube('        memory: {guest: 1Gi}\n        memory: {guest: 2Gi}'), 'kubevirt').code).toBe(
      'FORMAT_SYNTAX',
    );
    expect(failure('kind: VirtualMachine\nspec: [unclosed\n', 'kubevirt').code).toBe('FORMAT_SYNTAX');
  });

  it('refuses a manifest with no VirtualMachine, and input that is no known format', () => {
    expect(failure('kind: Pod\napiVersion: v1\n', 'kubevirt').code).toBe('FORMAT_UNKNOWN');
    const e = (() => {
      try {
        convert('hello world', { to: 'ovf' });
      } catch (x) {
        return x as FormatError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('FORMAT_UNKNOWN');
  });

  it('refuses boot orders of the wrong type, naming where, and reports unknown boot classes', () => {
    const kv = failure(
      kube(
        '        memory: {guest: 1Gi}\n        devices:\n          disks: [{name: d, disk: {bus: virtio}, bootOrder: first}]\n      volumes: [{name: d, containerDisk: {image: x}}]',
      ),
      'kubevirt',
    );
    expect(kv.message).toBe('disks[0].bootOrder must be a whole number from 1 to 65535');
    const lv = failure(
      '<domain><name>x</name><memory>1024</memory><devices><disk device="disk"><source file="/a.img"/><target dev="vda" bus="virtio"/><boot order="0"/></disk></devices></domain>',
      'libvirt',
    );
    expect([lv.code, lv.message]).toEqual(['FORMAT_INVALID', '<boot order> is 0, outside 1..65535']);
    const hv = `<CIM><DECLARATION><DECLGROUP><VALUE.OBJECT><INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>x</VALUE></PROPERTY><PROPERTY.ARRAY NAME="BootOrder" TYPE="uint16"><VALUE.ARRAY><VALUE>; rm</VALUE></VALUE.ARRAY></PROPERTY.ARRAY></INSTANCE></VALUE.OBJECT></DECLGROUP></DECLARATION></CIM>`;
    expect(failure(hv, 'hyperv').message).toContain('BootOrder is "; rm", not a uint16');
    const r = convert(vmx('bios.bootOrder = "hdd,$(reboot)"\n'), { from: 'vmx', to: 'libvirt' });
    expect(r.warnings).toContainEqual({
      code: 'BOOT_ORDER',
      message: 'bios.bootOrder names "$(reboot)", which is no device class; ignored',
    });
  });

  it('converting OVF to a native format with a disk outside the package references it by its file name, and says so', () => {
    const ovf = `<?xml version="1.0"?><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"><References><File ovf:id="f" ovf:href="../../../etc/disk.vmdk"/></References><DiskSection><Info>d</Info><Disk ovf:diskId="d" ovf:fileRef="f" ovf:capacity="1024"/></DiskSection><VirtualSystem ovf:id="v"><Info>v</Info><VirtualHardwareSection><Info>h</Info><Item><rasd:ElementName>m</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>64</rasd:VirtualQuantity></Item><Item><rasd:ElementName>d</rasd:ElementName><rasd:HostResource>ovf:/disk/d</rasd:HostResource><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item></VirtualHardwareSection></VirtualSystem></Envelope>`;
    const r = convert(ovf, { to: 'vmx' });
    expect(r.output).toContain('fileName = "disk.vmdk"');
    expect(r.output).not.toContain('..');
    expect(
      r.warnings.some((w) => w.code === 'DISK_NAME' && w.message.includes('outside the package folder')),
    ).toBe(true);
  });
});
