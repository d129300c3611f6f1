// Prints the folders (relative to the checkout, one a line) of the packages Vessel needs at run time: the
// closure of package.json's dependencies and optionalDependencies, resolved as Node resolves them (the nearest
// node_modules upwards). Development packages (esbuild, playwright, the browser app's bundled libraries) stay out
// even when npm's own listing counts them. Usage: node prod-modules.mjs CHECKOUT
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = process.argv[2];
/** What builds or downloads a native addon when npm installs it (and the C++ headers), never loaded at run time. */
const INSTALL_ONLY = new Set(['prebuild-install', 'node-gyp', 'nan', 'node-addon-api']);
const seen = new Set();
const queue = [root];
while (queue.length > 0) {
  const dir = queue.shift();
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });
  for (const name of names) {
    if (INSTALL_ONLY.has(name)) continue;
    let found;
    for (let at = dir; ; at = dirname(at)) {
      const candidate = join(at, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        found = candidate;
        break;
      }
      if (at === root || dirname(at) === at) break;
    }
    // An optional dependency for another platform is not installed; a missing required one fails the build.
    if (found === undefined) {
      if (pkg.optionalDependencies?.[name] !== undefined) continue;
      throw new Error(`${name}, needed by ${relative(root, dir) || 'vessel'}, is not installed`);
    }
    if (!seen.has(found)) {
      seen.add(found);
      queue.push(found);
    }
  }
}
for (const dir of [...seen].map((d) => relative(root, d)).sort()) console.log(dir);
