import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0), for a test that must name
 * its ports before it starts a server in another process.
 *
 * @example
 * const port = await freePort();
 * spawn(process.execPath, [CLI, 'host', 'serve', '--http', String(port)]);
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
    s.on('error', reject);
  });
}
