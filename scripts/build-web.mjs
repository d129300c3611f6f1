#!/usr/bin/env node
// Builds the web UI (src/web/app) into dist/web: one hashed ES module and stylesheet per entry, index.html naming
// them, and a .br and a .gz of each text file beside it (the host serves them by Accept-Encoding). Run by
// `npm run build`. Usage: node scripts/build-web.mjs [OUT_DIR]
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'dist', 'web');
await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });

/**
 * The consoles' libraries as the browser gets them: xterm.js's `<style>` elements become the page's constructed
 * sheets (src/web/app/console/style-shim.ts; the CSP allows no inline style) and its style attributes CSSOM
 * properties, its stylesheet is imported as text
 * and adopted the same way, and noVNC 1.7's ES modules are bundled
 * from their sources (its package is ESM in `core/`, with a CommonJS-era `vendor/pako` that esbuild converts), so
 * that neither needs a loader of its own in the browser.
 */
const consoleLibraries = {
  name: 'console-libraries',
  setup(b) {
    b.onLoad({ filter: /@xterm[\\/]xterm[\\/]lib[\\/]xterm\.mjs$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const re = /([A-Za-z_$][\w$.]*)\.createElement\("style"\)/g;
      const n = text.match(re)?.length ?? 0;
      if (n === 0) throw new Error('xterm.mjs has no createElement("style") left to rewrite: check the shim');
      // The DOM renderer colours selected and true-colour cells with a style attribute (`_addStyle`), which the
      // CSP refuses: it sets the same declaration through the CSSOM instead.
      const addStyle =
        /_addStyle\((\w+),(\w+)\)\{\1\.setAttribute\("style",`\$\{\1\.getAttribute\("style"\)\|\|""\}\$\{\2\};`\)\}/;
      if (!addStyle.test(text))
        throw new Error('xterm.mjs has no _addStyle left to rewrite: check the build');
      return {
        contents: text
          .replace(re, '(globalThis.__vesselStyle?.($1) ?? $1.createElement("style"))')
          .replace(
            addStyle,
            (_, t, e) =>
              `_addStyle(${t},${e}){const i=${e}.indexOf(":");${t}.style.setProperty(${e}.slice(0,i),${e}.slice(i+1))}`,
          ),
        loader: 'js',
      };
    });
    // xterm's own stylesheet as text: the console page adopts it when it loads (no <link> to a chunk's CSS).
    b.onLoad({ filter: /@xterm[\\/]xterm[\\/]css[\\/]xterm\.css$/ }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

const result = await build({
  plugins: [consoleLibraries],
  entryPoints: [join(root, 'src/web/app/main.tsx')],
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  tsconfig: join(root, 'src/web/tsconfig.json'),
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
if (entry === undefined) throw new Error('esbuild produced no entry module');
const url = (file) => `/${relative(out, join(root, file)).split('\\').join('/')}`;
const js = url(entry[0]);
const css = entry[1].cssBundle === undefined ? undefined : url(entry[1].cssBundle);

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Vessel</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${css === undefined ? '' : `<link rel="stylesheet" href="${css}">\n`}<script type="module" src="${js}"></script>
</head>
<body>
<div id="app"><noscript>The Vessel host client needs JavaScript.</noscript></div>
</body>
</html>
`;
await writeFile(join(out, 'index.html'), html);
await writeFile(
  join(out, 'favicon.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M1 9h14l-3 5H4z" fill="#0550ae"/>' +
    '<path d="M8 1v7H3z" fill="#57606a"/></svg>\n',
);

/** Every file under dir, recursively. */
async function files(dir) {
  const found = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) found.push(...(await files(p)));
    else found.push(p);
  }
  return found;
}

let total = 0;
for (const f of await files(out)) {
  if (!/\.(js|css|html|svg|json)$/.test(f)) continue;
  const body = await readFile(f);
  const gz = gzipSync(body, { level: 9 });
  total += gz.length;
  await writeFile(`${f}.gz`, gz);
  await writeFile(
    `${f}.br`,
    brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  );
}
process.stdout.write(
  `web UI built in ${relative(root, out) || out}: ${(total / 1024).toFixed(1)} KiB gzipped\n`,
);
