import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports this process has handed out: never handed out twice, though each is closed again at once. */
const given = new Set<number>();

/**
 * The ports a test may name: those outside the kernel's ephemeral range. A port in that range that was free a moment
 * ago can be the kernel's next choice for any server listening on port 0 (some test's host, in this process or the
 * other worker) before the process it was meant for binds it: 1 bind in ~10,000 got it here.
 */
function candidates(): [number, number][] {
  let [low, high] = [32768, 60999];
  try {
    const [a, b] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(a) && Number.isInteger(b)) [low, high] = [a as number, b as number];
  } catch {
    // Not Linux: the defaults above.
  }
  const ranges: [number, number][] = [];
  if (low > 10_000) ranges.push([10_000, low - 1]);
  if (high < 65_535) ranges.push([high + 1, 65_535]);
  return ranges;
}

/** Whether nothing listens on `port` of 127.0.0.1 now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The kernel's choice for port 0 (where no port lies outside the ephemeral range). */
function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
    s.on('error', reject);
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a test that must name its ports before it starts a server
 * in another process. It lies outside the kernel's ephemeral range, so no server listening on port 0 and no outgoing
 * connection can take it in the meantime; it starts at a random place so that the two test workers do not race for
 * the same ports, and this process never hands out the same port twice.
 *
 * @example
 * const port = await freePort();
 * spawn(process.execPath, [CLI, 'host', 'serve', '--http', String(port)]);
 */
export async function freePort(): Promise<number> {
  const ranges = candidates();
  const size = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  if (size === 0) return kernelPort();
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < Math.min(size, 2000); i++) {
    let k = (start + i) % size;
    let port = 0;
    for (const [a, b] of ranges) {
      if (k <= b - a) {
        port = a + k;
        break;
      }
      k -= b - a + 1;
    }
    if (given.has(port)) continue;
    given.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error('no free TCP port outside the ephemeral range');
}
