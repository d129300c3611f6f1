import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ImageError } from './errors.js';

const run = promisify(execFile);

/**
 * The Vessel checkout (or installed package) this code runs from: the nearest folder above this module with a
 * package.json named `vessel`. Its dist/ is what the image carries, so it must be built.
 *
 * @example
 * findCheckout(); // '/work/main'
 */
export function findCheckout(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vessel') {
      if (!existsSync(join(dir, 'dist', 'src', 'cli', 'main.js')))
        throw new ImageError('IMAGE_BUILD', `${dir} has no built dist/`, { hint: 'run npm run build first' });
      return dir;
    }
    if (dirname(dir) === dir) throw new ImageError('IMAGE_BUILD', 'No Vessel package.json above this module');
  }
}

/**
 * The version an image is stamped with: the package version, plus the commit when the checkout is a git
 * repository (`0.1.0+g1b8fdae`, `-dirty` when files changed).
 *
 * @example
 * await imageVersion('/work/main'); // '0.1.0+g1b8fdae'
 */
export async function imageVersion(checkout: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { version?: string };
  const version = pkg.version ?? '0.0.0';
  try {
    const { stdout } = await run('git', ['-C', checkout, 'describe', '--always', '--dirty', '--abbrev=7'], {
      timeout: 10_000,
    });
    return `${version}+g${stdout.trim()}`;
  } catch {
    return version;
  }
}
