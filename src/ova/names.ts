import { OvaError } from './errors.js';

/**
 * Checks that `name` (an archive member name or an `ovf:href`) is a safe relative path: not empty, not absolute,
 * no `.` or `..` segment, no backslash, drive letter or control character. A leading `./` is removed (some tar
 * writers add it). Returns the normalised name; throws `OVA_UNSAFE_NAME`.
 *
 * @example
 * safeMemberName('./disk1.vmdk'); // 'disk1.vmdk'
 * safeMemberName('../etc/passwd'); // throws OVA_UNSAFE_NAME
 */
export function safeMemberName(name: string): string {
  let n = name;
  while (n.startsWith('./')) n = n.slice(2);
  const why = unsafeReason(n);
  if (why !== undefined) {
    throw new OvaError('OVA_UNSAFE_NAME', `Refusing member name ${JSON.stringify(name)}: ${why}`, {
      member: name,
    });
  }
  return n;
}

function unsafeReason(n: string): string | undefined {
  if (n.length === 0) return 'it is empty';
  if (n.startsWith('/')) return 'it is an absolute path';
  if (/^[A-Za-z]:/.test(n)) return 'it starts with a drive letter';
  if (n.includes('\\')) return 'it contains a backslash';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(n)) return 'it contains a control character';
  if (n.endsWith('/')) return 'it names a directory';
  for (const seg of n.split('/')) {
    if (seg === '..') return 'it climbs out of the package with ".."';
    if (seg === '.' || seg === '') return 'it has an empty or "." path segment';
  }
  return undefined;
}

/** True when `href` points outside the package (a URL such as `http://...` or `file:...`), so it is not packed. */
export function isExternalHref(href: string): boolean {
  return /^(https?|ftp|file):/i.test(href) || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(href);
}

/**
 * Checks that a name fits a ustar header without a pax or GNU long-name record: ASCII, at most 100 bytes, or split
 * at a `/` into a prefix of at most 155 bytes and a name of at most 100 (POSIX.1-1988 ustar). Throws
 * `OVA_NAME_TOO_LONG` otherwise: ovftool rejects OVAs with pax headers, so Vessel never writes them.
 */
export function checkUstarName(name: string): void {
  if (!/^[\u0020-\u007e]+$/.test(name)) {
    throw new OvaError(
      'OVA_NAME_TOO_LONG',
      `Cannot store ${JSON.stringify(name)} in a ustar header: only printable ASCII names fit without a pax header`,
      { member: name, hint: 'Rename the file (and its ovf:href) to an ASCII name.' },
    );
  }
  if (name.length <= 100) return;
  const cut = name.lastIndexOf('/', 155);
  if (cut > 0 && name.length - cut - 1 <= 100) return;
  throw new OvaError(
    'OVA_NAME_TOO_LONG',
    `Cannot store "${name}" (${name.length} bytes) in a ustar header: names are limited to 100 bytes ` +
      '(or a 155-byte directory prefix plus 100), and Vessel never writes pax headers, which ovftool rejects',
    { member: name, hint: 'Use a shorter ovf:href.' },
  );
}

/** The name of chunk `index` of a chunked file: the href followed by a nine-digit index (DSP0243 §5.3). */
export function chunkName(href: string, index: number): string {
  return `${href}.${String(index).padStart(9, '0')}`;
}
