import { FormatError } from './errors.js';

/**
 * Checks for file names that a definition references (disk images, ISOs). Converters keep names as the source
 * writes them, but never pass on a name that climbs out of its folder or that no file system should hold.
 */

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Returns `name` when it is a usable image file name, or throws `FORMAT_UNSAFE_PATH` (`..` segments, control
 * characters, empty) or `FORMAT_UNSUPPORTED` (a URL: convert references local files only).
 *
 * @example
 * checkImagePath('disks/web1.vmdk', 'scsi0:0.fileName'); // 'disks/web1.vmdk'
 * checkImagePath('../../etc/shadow', 'scsi0:0.fileName'); // throws FORMAT_UNSAFE_PATH
 */
export function checkImagePath(name: string, where: string): string {
  if (name.trim() === '') throw new FormatError('FORMAT_UNSAFE_PATH', `${where}: the file name is empty`);
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c === 0x7f) {
      throw new FormatError(
        'FORMAT_UNSAFE_PATH',
        `${where}: the file name "${printable(name)}" holds a control character`,
      );
    }
  }
  if (SCHEME.test(name) && !name.toLowerCase().startsWith('file://')) {
    throw new FormatError('FORMAT_UNSUPPORTED', `${where}: "${printable(name)}" is a remote file`, {
      hint: 'Download the image first and reference the local file.',
    });
  }
  if (name.split(/[/\\]/).some((seg) => seg === '..')) {
    throw new FormatError(
      'FORMAT_UNSAFE_PATH',
      `${where}: the file name "${printable(name)}" climbs out of its folder with ".."`,
      { hint: 'Reference disk images by a name inside the package folder or by an absolute path.' },
    );
  }
  return name;
}

/** The last segment of a path (either separator), as OVF hrefs and upload names need. */
export function baseName(path: string): string {
  const p = path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path;
  const parts = p.split(/[/\\]/);
  return parts[parts.length - 1] ?? p;
}

/** True for an absolute POSIX or Windows path. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** The file name extension, lower case and without the dot ('' when there is none). */
export function extensionOf(path: string): string {
  const b = baseName(path);
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i + 1).toLowerCase();
}

/** A name shortened and with control characters shown as `?`, for messages. */
export function printable(s: string, max = 80): string {
  const clean = Array.from(s, (ch) => ((ch.codePointAt(0) ?? 0) < 0x20 ? '?' : ch)).join('');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
