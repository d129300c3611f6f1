import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HypervisorError } from './errors.js';

const run = promisify(execFile);

/** The tiny test guest built by scripts/build-test-guest.sh, and the strings it prints on its serial console. */
export interface TestGuest {
  dir: string;
  kernel: string;
  /** Boots, prints `up`, reads the CD, prints `done` and powers off. */
  disk: string;
  /** Boots, prints `up` then `ready`, runs a shell on the serial port, powers off on the ACPI power button. */
  stayDisk: string;
  /** A sample OVF environment CD. */
  iso: string;
  markers: { up: string; done: string; ready: string; envBegin: string; envEnd: string };
}

/** Where the guest is cached: `$VESSEL_GUEST_DIR`, else `~/.cache/vessel/guest`. */
export function testGuestDir(): string {
  return process.env.VESSEL_GUEST_DIR ?? join(homedir(), '.cache', 'vessel', 'guest');
}

/** The build script, found from this module's place in the source or the build output. */
function buildScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'scripts', 'build-test-guest.sh');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new HypervisorError(
    'FILE_NOT_FOUND',
    'scripts/build-test-guest.sh not found beside the Vessel sources',
  );
}

/** The cached test guest, or undefined when it has not been built (guest.json is written last). */
export function findTestGuest(dir = testGuestDir()): TestGuest | undefined {
  const meta = join(dir, 'guest.json');
  if (!existsSync(meta)) return undefined;
  const m = JSON.parse(readFileSync(meta, 'utf8')) as {
    kernel: string;
    disk: string;
    stayDisk: string;
    iso: string;
    markers: TestGuest['markers'];
  };
  const guest = {
    dir,
    kernel: m.kernel,
    disk: join(dir, m.disk),
    stayDisk: join(dir, m.stayDisk),
    iso: join(dir, m.iso),
    markers: m.markers,
  };
  return [guest.disk, guest.stayDisk, guest.iso].every((f) => existsSync(f)) ? guest : undefined;
}

/**
 * The test guest, building it first when it is not cached or `rebuild` is set (about 5 s, plus the kernel
 * download the first time).
 *
 * @example
 * const guest = await ensureTestGuest();
 * buildDefinition({ name: 'g', cpus: 1, memoryBytes: 256n << 20n, disks: [guest.disk] });
 */
export async function ensureTestGuest(options: { dir?: string; rebuild?: boolean } = {}): Promise<TestGuest> {
  const dir = options.dir ?? testGuestDir();
  const found = options.rebuild ? undefined : findTestGuest(dir);
  if (found) return found;
  try {
    const args = options.rebuild ? [buildScript(), dir] : [buildScript(), '--if-missing', dir];
    await run('bash', args, { timeout: 600_000, maxBuffer: 16 << 20 });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    throw new HypervisorError(
      'QEMU_START',
      `Building the test guest failed: ${stderr.trim().split('\n').pop() ?? ''}`,
      {
        cause: e,
      },
    );
  }
  const built = findTestGuest(dir);
  if (!built) throw new HypervisorError('QEMU_START', `The test guest build left no guest in ${dir}`);
  return built;
}
