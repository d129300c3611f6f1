import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect.js';
import { guestOsFromVbox, guestOsFromVmx, vboxOsType, vmwareGuestId, vmxGuestName } from './guest-os.js';
import { formatQuantity, quantityBytes } from './kubevirt/quantity.js';
import { escapeVmx, formatVmxText, parseVmxText } from './vmx/text.js';

describe('vmx text', () => {
  it('reads quoted and bare values, comments, case-insensitive keys and |XX escapes', () => {
    const d = parseVmxText(
      '# comment\nDisplayName = "a |22quoted|22 name"\nmemsize = 512 # MB\nannotation = "line1|0Aline2"\n',
    );
    expect(d.get('displayname')?.value).toBe('a "quoted" name');
    expect(d.get('memsize')).toEqual({ key: 'memsize', value: '512', line: 3 });
    expect(d.get('annotation')?.value).toBe('line1\nline2');
  });

  it('writes what it reads back unchanged, escaping quotes, bars, hashes and control characters', () => {
    const value = 'a "b" | c # d\ne\u0001';
    expect(escapeVmx(value)).toBe('a |22b|22 |7C c |23 d|0Ae|01');
    expect(parseVmxText(formatVmxText([['x', value]])).get('x')?.value).toBe(value);
  });

  it('reads a Windows-1252 file that says so', () => {
    const bytes = Buffer.from('.encoding = "windows-1252"\ndisplayName = "caf\xe9"\n', 'latin1');
    expect(parseVmxText(bytes).get('displayname')?.value).toBe('café');
  });
});

describe('Kubernetes quantities', () => {
  it('reads binary and decimal suffixes and decimals exactly', () => {
    expect(quantityBytes('1536Mi', 'm')).toBe(1536n << 20n);
    expect(quantityBytes('1.5Gi', 'm')).toBe(3n << 29n);
    expect(quantityBytes('2G', 'm')).toBe(2_000_000_000n);
    expect(quantityBytes(1024, 'm')).toBe(1024n);
  });

  it('writes the largest exact binary suffix', () => {
    expect(formatQuantity(16n << 30n)).toBe('16Gi');
    expect(formatQuantity(1536n << 20n)).toBe('1536Mi');
    expect(formatQuantity(1000n)).toBe('1000');
  });
});

describe('guest OS ids', () => {
  it('maps vmx guestOS names, VMware ids and VirtualBox ids through CIM OSType', () => {
    expect(guestOsFromVmx('ubuntu-64')).toEqual({
      osType: 94,
      description: 'Ubuntu 64-Bit',
      vmware: 'ubuntu64Guest',
    });
    expect(vmxGuestName('windows9_64Guest')).toBe('windows9-64');
    expect(vmxGuestName('winLonghorn64Guest')).toBe('longhorn-64');
    expect(vboxOsType(guestOsFromVmx('windows9-64'))).toBe('Windows10_64');
    expect(vmwareGuestId(guestOsFromVbox('Debian_64'))).toBe('debian10_64Guest');
    expect(guestOsFromVbox('Debian_64').osType).toBe(96);
  });

  it('keeps ids it does not know and falls back by family', () => {
    const os = guestOsFromVmx('rhel9-64');
    expect(os).toEqual({ osType: 101, description: 'rhel9-64', vmware: 'rhel9_64Guest' });
    expect(vmwareGuestId(os)).toBe('rhel9_64Guest');
    expect(guestOsFromVbox('Fedora_64').osType).toBe(101);
  });
});

describe('detectFormat()', () => {
  it.each([
    ['<?xml version="1.0"?><!-- c --><ovf:Envelope xmlns:ovf="x"/>', 'ovf'],
    ["<domain type='kvm'/>", 'libvirt'],
    ['<VirtualBox xmlns="http://www.virtualbox.org/"/>', 'vbox'],
    ['<CIM><INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"/></CIM>', 'hyperv'],
    ['apiVersion: kubevirt.io/v1\nkind: VirtualMachine\n', 'kubevirt'],
    ['{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine"}', 'kubevirt'],
    ['.encoding = "UTF-8"\nconfig.version = "8"\n', 'vmx'],
  ] as const)('detects %s as %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });
});
