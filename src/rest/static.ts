import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpPublicRoute } from '../wbem/index.js';

/** The web UI's built files, served without credentials at `/` (the UI itself logs in against /api/v1). */

/** Limits of what {@link staticRoute} loads: files, bytes in all, the longest request path looked up. */
export const STATIC_LIMITS = { maxFiles: 2000, maxBytes: 64 * 1024 * 1024, maxPathChars: 1024 };

/**
 * The policy of every page: scripts, styles and connections of the host only (CSP3 `'self'` also matches ws:/wss:
 * of the same host, for the consoles), no inline script, no framing, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** A name with esbuild's content hash (`app-2KQ7NDXH.js`): its content never changes, so it is cached for good. */
const HASHED = /-[A-Z0-9]{8,}\.[a-z0-9]+$/;

interface Asset {
  body: Buffer;
  gz?: Buffer;
  br?: Buffer;
  type: string;
  cache: string;
  etag: string;
}

/**
 * Loads every file under `root` once (following no symbolic link out of it) into an exact table of URL paths, so
 * that a request is a lookup: no path from a request ever reaches the file system, and `..`, `%2e%2e`, NUL or
 * anything not built is a 404. `X.gz` and `X.br` beside `X` are its precompressed forms.
 */
function loadAssets(root: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(root)) return out;
  const top = realpathSync(root);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (files.length >= STATIC_LIMITS.maxFiles) return;
      const p = join(dir, e.name);
      const real = realOf(p);
      if (real === undefined || (real !== top && !real.startsWith(top + sep))) continue;
      const st = statSync(real);
      if (st.isDirectory() && e.isDirectory()) walk(p);
      else if (st.isFile()) files.push(p);
    }
  };
  walk(top);
  let bytes = 0;
  const set = new Set(files);
  for (const f of files) {
    const ext = extname(f);
    const type = TYPES[ext];
    if (type === undefined) continue;
    const body = readFileSync(f);
    bytes += body.length;
    if (bytes > STATIC_LIMITS.maxBytes) break;
    const url = `/${relative(top, f).split(sep).join('/')}`;
    const base = url.slice(url.lastIndexOf('/') + 1);
    const a: Asset = {
      body,
      type,
      cache: HASHED.test(base) ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: createHash('sha256').update(body).digest('base64url').slice(0, 22),
    };
    if (set.has(`${f}.gz`)) a.gz = readFileSync(`${f}.gz`);
    if (set.has(`${f}.br`)) a.br = readFileSync(`${f}.br`);
    out.set(url, a);
  }
  const index = out.get('/index.html');
  if (index !== undefined) out.set('/', index);
  return out;
}

function realOf(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined; // a dangling link
  }
}

/**
 * The encoding to send by Accept-Encoding (RFC 9110 §12.5.3): br, else gzip, when offered and accepted with q > 0.
 *
 * @example
 * chooseEncoding('gzip, deflate, br', true, true); // 'br'
 */
export function chooseEncoding(
  header: string | undefined,
  br: boolean,
  gz: boolean,
): 'br' | 'gzip' | undefined {
  if (header === undefined) return undefined;
  const accepted = new Set<string>();
  for (const part of header.split(',').slice(0, 32)) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(name);
  }
  if (br && (accepted.has('br') || accepted.has('*'))) return 'br';
  if (gz && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}

/** The headers every answer of the route carries. */
export const STATIC_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function notFound(res: ServerResponse): void {
  const body = 'Not found\n';
  res.writeHead(404, {
    ...STATIC_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * The route (public: no credentials) that serves the built web UI under `root` at `/`: hashed names cached as
 * immutable, index.html (also at `/`) revalidated every time, precompressed `.br`/`.gz` by Accept-Encoding, the
 * strict {@link CONTENT_SECURITY_POLICY} and nosniff on every answer, 404 for anything else. Files are read once
 * when the route is made (a new build needs a restart). Put it after the API's route: it matches every path.
 *
 * @example
 * await startHttpServer({ routes: [restRoute(o), staticRoute(webAssetsDir())], auth: { users } });
 */
export function staticRoute(root: string): HttpPublicRoute {
  const assets = loadAssets(root);
  return {
    path: '/',
    public: true,
    handle: async ({ req, res }) => {
      const raw = (req.url ?? '').split('?')[0] ?? '';
      const a = raw.length > STATIC_LIMITS.maxPathChars ? undefined : assets.get(raw);
      if (a === undefined) return notFound(res);
      const enc = chooseEncoding(req.headers['accept-encoding'], a.br !== undefined, a.gz !== undefined);
      // Each encoding is its own representation, with its own strong validator (RFC 9110 §8.8.3.3).
      const etag = enc === undefined ? `"${a.etag}"` : `"${a.etag}-${enc}"`;
      const headers: Record<string, string | number> = {
        ...STATIC_HEADERS,
        'Content-Type': a.type,
        'Cache-Control': a.cache,
        ETag: etag,
        Vary: 'Accept-Encoding',
      };
      const inm = req.headers['if-none-match'];
      if (inm?.split(',').some((t) => t.trim() === etag)) {
        res.writeHead(304, headers);
        return void res.end();
      }
      const body = enc === 'br' ? a.br : enc === 'gzip' ? a.gz : a.body;
      if (enc !== undefined) headers['Content-Encoding'] = enc;
      headers['Content-Length'] = body?.length ?? 0;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

/**
 * Where `npm run build` puts the web UI: `dist/web` of the package this module belongs to (found from the module's
 * own place, whether it runs from src/ or dist/src/).
 *
 * @example
 * staticRoute(webAssetsDir());
 */
export function webAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');
}
