import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding, webAssetsDir } from './static.js';
import { type RestTestHost, startRestTestHost } from './test-host.js';

// The web UI's files on a real host's REST edge (public route of the shared server), and hostile paths sent as raw
// bytes (fetch would normalize them away): traversal, encoded dots, NUL, long paths, links out of the root.

const JS = 'console.log("vessel");'.repeat(50);
let dir: string;
let outside: string;
let h: RestTestHost;
let base: string;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-web-'));
  outside = await mkdtemp(join(tmpdir(), 'vessel-secret-'));
  await writeFile(join(outside, 'secret.txt'), 'TOP SECRET');
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Vessel</title>');
  await writeFile(join(dir, 'assets', 'app-ABCD2345.js'), JS);
  await writeFile(join(dir, 'assets', 'app-ABCD2345.js.gz'), gzipSync(JS));
  await writeFile(join(dir, 'assets', 'app-ABCD2345.js.br'), brotliCompressSync(JS));
  await symlink(join(outside, 'secret.txt'), join(dir, 'assets', 'leak.txt'));
  await symlink(outside, join(dir, 'out'));
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling.txt'));
  h = await startRestTestHost({ vms: 1, web: dir });
  base = h.restUrl.replace('/api/v1', '');
  port = Number(new URL(base).port);
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

/** Sends one raw request line and answers the status code and the whole answer. */
function rawGet(path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(text.slice(9, 12)), text });
    });
    sock.on('error', reject);
    sock.write(
      Buffer.concat([Buffer.from('GET '), Buffer.from(path, 'latin1'), Buffer.from(' HTTP/1.1\r\n')]),
    );
    sock.write('Host: x\r\nConnection: close\r\n\r\n');
  });
}

describe('the web UI files', () => {
  it('serves index.html at / without credentials, no-cache, with the CSP and nosniff', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>Vessel</title>');
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('www-authenticate')).toBeNull();
    const again = await fetch(`${base}/index.html`, {
      headers: { 'If-None-Match': r.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
  });

  it('caches hashed names for good and picks br, gzip or identity by Accept-Encoding', async () => {
    const url = `${base}/assets/app-ABCD2345.js`;
    const br = await rawFetch(url, 'gzip, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toBe('Accept-Encoding');
    const gz = await rawFetch(url, 'gzip, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(JS);
    expect(gz.headers.etag).not.toBe(br.headers.etag);
    const plain = await rawFetch(url, 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(JS);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it.each(
    [
      '/../../../etc/passwd',
      '/assets/../index.html',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..%2f..%2fetc%2fpasswd',
      '/index.html%00.js',
      '/index.html\u0000',
      '//etc/passwd',
      '/assets/leak.txt',
      '/out/secret.txt',
      '/dangling.txt',
      '/assets/',
      '/assets',
      '/assets/app-ABCD2345.js.gz',
      `/${'a/'.repeat(2000)}index.html`,
      '/\\..\\..\\etc\\passwd',
    ].map((path) => ({
      path,
      label: path.length > 60 ? `${path.slice(0, 20)}... (${path.length} chars)` : path,
    })),
  )('answers 404 (or 400) to the hostile path $label and leaks nothing', async ({ path }) => {
    const r = await rawGet(path);
    expect([400, 404]).toContain(r.status);
    expect(r.text).not.toContain('TOP SECRET');
    expect(r.text).not.toContain('root:');
  });

  it('answers only GET and HEAD, and never a directory listing', async () => {
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('leaves /api/v1 authenticated, and reads no credentials on the public route', async () => {
    const r = await fetch(`${h.restUrl}/systems`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="Vessel"');
    expect((await fetch(`${h.restUrl}`)).status).toBe(404);
    // Wrong passwords sent to a public file are not logins: they neither fail nor count against the throttle.
    const wrong = { Authorization: `Basic ${btoa('admin:wrong')}` };
    for (let i = 0; i < 30; i++) expect((await fetch(`${base}/`, { headers: wrong })).status).toBe(200);
    const ok = await fetch(`${h.restUrl}/systems`, {
      headers: { Authorization: `Basic ${btoa('admin:secret')}` },
    });
    expect(ok.status).toBe(200);
  });

  it("a page's 401 (session cookie or X-Requested-With) carries no Basic challenge", async () => {
    const xhr = await fetch(`${h.restUrl}/session`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    expect(xhr.status).toBe(401);
    expect(xhr.headers.get('www-authenticate')).toBeNull();
    expect(((await xhr.json()) as { code: string }).code).toBe('AUTH_FAILED');
    const stale = await fetch(`${h.restUrl}/systems`, {
      headers: { Cookie: `vessel_session=${'A'.repeat(43)}` },
    });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toBeNull();
    const wrong = await fetch(`${h.restUrl}/session`, {
      method: 'POST',
      headers: { Authorization: `Basic ${btoa('admin:wrong')}`, 'X-Requested-With': 'XMLHttpRequest' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBeNull();
  });
});

describe('webAssetsDir()', () => {
  it("is the package's dist/web, from src/ as from dist/src/", () => {
    expect(webAssetsDir()).toBe(join(process.cwd(), 'dist', 'web'));
  });
});

describe('chooseEncoding()', () => {
  it('honours q=0 and prefers br', () => {
    expect(chooseEncoding('gzip, br', true, true)).toBe('br');
    expect(chooseEncoding('br;q=0, gzip', true, true)).toBe('gzip');
    expect(chooseEncoding('*', false, true)).toBe('gzip');
    expect(chooseEncoding(undefined, true, true)).toBeUndefined();
    expect(chooseEncoding('deflate', true, true)).toBeUndefined();
  });
});

/** A GET through node's http (fetch would decode the body). */
async function rawFetch(
  url: string,
  acceptEncoding: string,
): Promise<{ headers: Record<string, string | undefined>; body: Buffer }> {
  const { get } = await import('node:http');
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ headers: res.headers as Record<string, string | undefined>, body: Buffer.concat(chunks) }),
      );
    }).on('error', reject);
  });
}
