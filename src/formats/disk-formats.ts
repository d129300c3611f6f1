import { extensionOf } from './paths.js';

/**
 * Disk image formats by short name, and the URIs OVF's `Disk/@ovf:format` uses for them (DSP0243 §9.1; the VMDK
 * and VHD URIs are the ones VMware and Microsoft publish, qcow2 the one virt-v2v and oVirt write).
 */

const URIS: Record<string, string> = {
  vmdk: 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized',
  vhd: 'http://technet.microsoft.com/en-us/virtualization/bb676673.aspx',
  vhdx: 'http://technet.microsoft.com/en-us/virtualization/bb676673.aspx#vhdx',
  qcow2: 'http://www.gnome.org/~markmc/qcow-image-format.html',
  vdi: 'http://www.virtualbox.org/manual/ch05.html#vdidetails',
  raw: 'http://www.vmware.com/interfaces/specifications/vmdk.html#flat',
};

/** The short format name of an OVF format URI (`vmdk` for every VMDK variant), or undefined. */
export function formatFromUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const u = uri.toLowerCase();
  if (u.includes('vmdk')) return 'vmdk';
  if (u.includes('vhdx')) return 'vhdx';
  if (u.includes('vhd') || u.includes('bb676673') || u.includes('virtualserver')) return 'vhd';
  if (u.includes('qcow')) return 'qcow2';
  if (u.includes('vdi') || u.includes('virtualbox')) return 'vdi';
  return undefined;
}

/** The OVF format URI for a short format name (VMDK streamOptimized when unknown, as OVF packages carry). */
export function uriForFormat(format: string | undefined): string {
  return URIS[format ?? 'vmdk'] ?? URIS['vmdk']!;
}

/** The format a file name's extension suggests (`img` is raw), or undefined. */
export function formatFromName(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const ext = extensionOf(file);
  if (ext === 'img') return 'raw';
  return ['vmdk', 'vhd', 'vhdx', 'qcow2', 'vdi', 'raw', 'iso'].includes(ext) ? ext : undefined;
}
