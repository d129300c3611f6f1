import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findCheckout, imageVersion } from './checkout.js';
import { ImageError } from './errors.js';
import { BUILD_TOOLS, EFI_LDLINUX, EFI_LOADER, MBR_BIN, requireTools } from './tools.js';

/** What to build and where. */
export interface BuildOptions {
  /** The output folder; created when missing, refused when not empty. */
  out: string;
  /** Scratch space; the installed Debian root is kept there and reused while its package list is unchanged. */
  work?: string | undefined;
  /** The Node binary the image carries (default: the one running this, `process.execPath`). */
  node?: string | undefined;
  /** Each line the build prints (steps, timings, failures). */
  onLine?: ((line: string) => void) | undefined;
}

/** The artefacts and how long each step took. */
export interface BuildResult {
  image: string;
  manifest: string;
  sums: string;
  version: string;
  /** The image digest the booted host reports: the SHA-256 (hex) of boot/SHA256SUMS. */
  digest: string;
  /** The compressed boot set (kernel, initramfs, both squashfs layers), in bytes: the figure of the 150 MiB aim. */
  bootSetBytes: number;
  /** Seconds per step (`debootstrap` only when the Debian root was not cached, `total`). */
  seconds: Record<string, number>;
}

/**
 * Builds the bootable, read-only Vessel host image into `out` (scripts/image/build.sh): a Debian bookworm root
 * (mmdebstrap, no recommends, docs and unneeded drivers pruned, no apt/dpkg, root locked, no login prompt) as a
 * zstd squashfs, this checkout's dist and production node_modules with the build machine's Node as a second
 * squashfs layer, live-boot's initramfs, and SYSLINUX for BIOS and UEFI on a FAT partition of `vessel-host.img`
 * (scripts/image/disk.sh); with manifest.txt
 * (sizes, packages) and SHA256SUMS. Needs root (mmdebstrap chroots) and the tools of {@link BUILD_TOOLS}.
 *
 * @example
 * const r = await buildImage({ out: '/tmp/vessel-image', onLine: console.log });
 * r.image; // '/tmp/vessel-image/vessel-host.img'
 */
export async function buildImage(o: BuildOptions): Promise<BuildResult> {
  if (process.getuid?.() !== 0)
    throw new ImageError(
      'IMAGE_PRIVILEGE',
      'Building the image needs root (mmdebstrap installs into a chroot)',
      {
        hint: 'run it with sudo',
      },
    );
  await requireTools([...BUILD_TOOLS, MBR_BIN, EFI_LOADER, EFI_LDLINUX]);
  const checkout = findCheckout();
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  if ((await readdir(out)).length > 0)
    throw new ImageError('IMAGE_OUTPUT', `${out} is not empty`, { hint: 'name a new or empty folder' });
  const work = resolve(o.work ?? join(tmpdir(), 'vessel-image-work'));
  const version = await imageVersion(checkout);
  const script = join(checkout, 'scripts', 'image', 'build.sh');
  if (!existsSync(script)) throw new ImageError('IMAGE_BUILD', `${script} is missing`);
  const seconds: Record<string, number> = {};
  let digest = '';
  let bootSetBytes = 0;
  const tail: string[] = [];
  const code = await new Promise<number>((done, fail) => {
    const child = spawn('bash', [script, out, work, checkout, o.node ?? process.execPath, version], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
    });
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const t = /^time: (\S+) (\d+)$/.exec(line);
        if (t) seconds[t[1]!] = Number(t[2]);
        const d = /^digest: ([0-9a-f]{64})$/.exec(line);
        if (d) digest = d[1]!;
        const b = /^boot-set-bytes: (\d+)$/.exec(line);
        if (b) bootSetBytes = Number(b[1]);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        o.onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', fail);
    child.on('close', (c) => done(c ?? -1));
  });
  if (code !== 0)
    throw new ImageError('IMAGE_BUILD', `The image build failed (exit ${code}):\n${tail.join('\n')}`);
  return {
    image: join(out, 'vessel-host.img'),
    manifest: join(out, 'manifest.txt'),
    sums: join(out, 'SHA256SUMS'),
    version,
    digest,
    bootSetBytes,
    seconds,
  };
}
