import type { GuestOs } from './types.js';

/**
 * Guest OS identifiers across platforms: CIM_OperatingSystem.OSType (what OVF's OperatingSystemSection carries,
 * DSP0243 §9.7; values 0..102 from the CIM 2.21 ValueMap, the range every implementation agrees on), VMware's
 * guest ids (vmx `guestOS`, OVF `vmw:osType`) and VirtualBox's OSType ids. Newer systems that CIM numbers
 * inconsistently across implementations (Windows 7 and later) are mapped vendor to vendor and carry CIM
 * 1 (Other) or 102 (Other 64-Bit).
 */

interface OsRow {
  cim: number;
  vmware: string;
  vbox: string;
  description: string;
}

const row = (cim: number, vmware: string, vbox: string, description: string): OsRow => ({
  cim,
  vmware,
  vbox,
  description,
});

/** The first row for a CIM value, VMware id or VirtualBox id is the one a lookup by that key returns. */
const ROWS: readonly OsRow[] = [
  row(1, 'otherGuest', 'Other', 'Other'),
  row(102, 'otherGuest64', 'Other_64', 'Other 64-Bit'),
  row(36, 'otherLinuxGuest', 'Linux', 'Linux'),
  row(101, 'otherLinux64Guest', 'Linux_64', 'Linux 64-Bit'),
  row(97, 'other24xLinuxGuest', 'Linux24', 'Linux 2.4.x'),
  row(98, 'other24xLinux64Guest', 'Linux_64', 'Linux 2.4.x 64-Bit'),
  row(99, 'other26xLinuxGuest', 'Linux26', 'Linux 2.6.x'),
  row(100, 'other26xLinux64Guest', 'Linux26_64', 'Linux 2.6.x 64-Bit'),
  row(93, 'ubuntuGuest', 'Ubuntu', 'Ubuntu'),
  row(94, 'ubuntu64Guest', 'Ubuntu_64', 'Ubuntu 64-Bit'),
  row(95, 'debian10Guest', 'Debian', 'Debian'),
  row(96, 'debian10_64Guest', 'Debian_64', 'Debian 64-Bit'),
  row(79, 'rhel7Guest', 'RedHat', 'RedHat Enterprise Linux'),
  row(80, 'rhel7_64Guest', 'RedHat_64', 'RedHat Enterprise Linux 64-Bit'),
  row(82, 'suseGuest', 'OpenSUSE', 'SUSE'),
  row(83, 'suse64Guest', 'OpenSUSE_64', 'SUSE 64-Bit'),
  row(84, 'slesGuest', 'OpenSUSE', 'SLES'),
  row(85, 'sles64Guest', 'OpenSUSE_64', 'SLES 64-Bit'),
  row(89, 'mandrivaGuest', 'Mandriva', 'Mandriva'),
  row(90, 'mandriva64Guest', 'Mandriva_64', 'Mandriva 64-Bit'),
  row(91, 'turboLinuxGuest', 'Turbolinux', 'TurboLinux'),
  row(92, 'turboLinux64Guest', 'Turbolinux_64', 'TurboLinux 64-Bit'),
  row(42, 'freebsdGuest', 'FreeBSD', 'FreeBSD'),
  row(78, 'freebsd64Guest', 'FreeBSD_64', 'FreeBSD 64-Bit'),
  row(65, 'otherGuest', 'OpenBSD', 'OpenBSD'),
  row(43, 'otherGuest', 'NetBSD', 'NetBSD'),
  row(29, 'solaris10Guest', 'Solaris', 'Solaris'),
  row(81, 'solaris10_64Guest', 'Solaris_64', 'Solaris 64-Bit'),
  row(2, 'darwinGuest', 'MacOS', 'MACOS'),
  row(12, 'os2Guest', 'OS2', 'OS/2'),
  row(14, 'dosGuest', 'DOS', 'MSDOS'),
  row(15, 'win31Guest', 'Windows31', 'WIN3x'),
  row(16, 'win95Guest', 'Windows95', 'WIN95'),
  row(17, 'win98Guest', 'Windows98', 'WIN98'),
  row(18, 'winNTGuest', 'WindowsNT4', 'WINNT'),
  row(58, 'win2000ProGuest', 'Windows2000', 'Windows 2000'),
  row(63, 'winMeGuest', 'WindowsMe', 'Windows (R) Me'),
  row(67, 'winXPProGuest', 'WindowsXP', 'Windows XP'),
  row(71, 'winXPPro64Guest', 'WindowsXP_64', 'Windows XP 64-Bit'),
  row(69, 'winNetStandardGuest', 'Windows2003', 'Microsoft Windows Server 2003'),
  row(70, 'winNetStandard64Guest', 'Windows2003_64', 'Microsoft Windows Server 2003 64-Bit'),
  row(73, 'winVistaGuest', 'WindowsVista', 'Windows Vista'),
  row(74, 'winVista64Guest', 'WindowsVista_64', 'Windows Vista 64-Bit'),
  row(76, 'winLonghornGuest', 'Windows2008', 'Microsoft Windows Server 2008'),
  row(77, 'winLonghorn64Guest', 'Windows2008_64', 'Microsoft Windows Server 2008 64-Bit'),
  row(1, 'windows7Guest', 'Windows7', 'Microsoft Windows 7'),
  row(102, 'windows7_64Guest', 'Windows7_64', 'Microsoft Windows 7 64-Bit'),
  row(102, 'windows7Server64Guest', 'Windows2008_64', 'Microsoft Windows Server 2008 R2'),
  row(1, 'windows8Guest', 'Windows8', 'Microsoft Windows 8'),
  row(102, 'windows8_64Guest', 'Windows8_64', 'Microsoft Windows 8 64-Bit'),
  row(102, 'windows8Server64Guest', 'Windows2012_64', 'Microsoft Windows Server 2012'),
  row(1, 'windows9Guest', 'Windows10', 'Microsoft Windows 10'),
  row(102, 'windows9_64Guest', 'Windows10_64', 'Microsoft Windows 10 64-Bit'),
  row(102, 'windows11_64Guest', 'Windows11_64', 'Microsoft Windows 11 64-Bit'),
  row(102, 'windows9Server64Guest', 'Windows2016_64', 'Microsoft Windows Server 2016'),
  row(102, 'windows2019srv_64Guest', 'Windows2019_64', 'Microsoft Windows Server 2019'),
  row(102, 'windows2019srvNext_64Guest', 'Windows2022_64', 'Microsoft Windows Server 2022'),
];

const LINUXISH =
  /linux|rhel|centos|debian|ubuntu|sles|suse|oracle|fedora|photon|coreos|amazon|mageia|gentoo|arch/i;

function family(id: string, is64: boolean): OsRow {
  const linux = LINUXISH.test(id);
  const cim = linux ? (is64 ? 101 : 36) : is64 ? 102 : 1;
  return ROWS.find((r) => r.cim === cim)!;
}

/** The guest OS for a VMware guest id (vmx `guestOS`, OVF `vmw:osType`); unknown ids fall back by family. */
export function guestOsFromVmware(id: string): GuestOs {
  const r = ROWS.find((x) => x.vmware.toLowerCase() === id.toLowerCase());
  if (r) return { osType: r.cim, description: r.description, vmware: r.vmware };
  return { osType: family(id, /64/.test(id)).cim, description: id, vmware: id };
}

/** The guest OS for a VirtualBox OSType id; unknown ids fall back by family. */
export function guestOsFromVbox(id: string): GuestOs {
  const r = ROWS.find((x) => x.vbox.toLowerCase() === id.toLowerCase());
  if (r) return { osType: r.cim, description: r.description, vbox: r.vbox };
  return { osType: family(id, /_64$/.test(id)).cim, description: id, vbox: id };
}

/** The VMware guest id for a guest OS: the row of its description when it names one, else of its CIM value. */
export function vmwareGuestId(os: GuestOs | undefined): string {
  return os?.vmware ?? rowFor(os).vmware;
}

/** The VirtualBox OSType id for a guest OS. */
export function vboxOsType(os: GuestOs | undefined): string {
  return os?.vbox ?? rowFor(os).vbox;
}

/** The CIM description of an OSType value, e.g. `Ubuntu 64-Bit` for 94. */
export function cimOsDescription(osType: number): string | undefined {
  return ROWS.find((r) => r.cim === osType)?.description;
}

function rowFor(os: GuestOs | undefined): OsRow {
  if (os === undefined) return ROWS[0]!;
  const byDescription = ROWS.find((r) => r.cim === os.osType && r.description === os.description);
  const byVendor = ROWS.find((r) => r.vmware === os.vmware || r.vbox === os.vbox);
  return byDescription ?? byVendor ?? ROWS.find((r) => r.cim === os.osType) ?? family('', os.osType === 102);
}

/** vmx `guestOS` names that are not the API guest id lower-cased with `-64` (VMware's own exceptions). */
const VMX_EXCEPTIONS: Record<string, string> = {
  winLonghornGuest: 'longhorn',
  winLonghorn64Guest: 'longhorn-64',
  windows7Server64Guest: 'windows7srv-64',
  windows8Server64Guest: 'windows8srv-64',
  windows9Server64Guest: 'windows9srv-64',
  otherGuest64: 'other-64',
};

/**
 * The vmx `guestOS` spelling of a VMware guest id: `ubuntu64Guest` is `ubuntu-64`, `windows9_64Guest` is
 * `windows9-64`, `otherLinuxGuest` is `otherlinux` (vmx files use these short names, the API and OVF the ids).
 */
export function vmxGuestName(guestId: string): string {
  const special = VMX_EXCEPTIONS[guestId];
  if (special) return special;
  return guestId
    .replace(/Guest$/, '')
    .toLowerCase()
    .replace(/_?64$/, '-64');
}

/** The guest OS for a vmx `guestOS` value (short name or API id). */
export function guestOsFromVmx(name: string): GuestOs {
  const lower = name.toLowerCase();
  const r = ROWS.find((x) => vmxGuestName(x.vmware) === lower || x.vmware.toLowerCase() === lower);
  if (r) return { osType: r.cim, description: r.description, vmware: r.vmware };
  const id = /guest/i.test(name) ? name : `${name.replace(/-64$/, '_64')}Guest`;
  return { osType: family(name, /64/.test(name)).cim, description: name, vmware: id };
}
