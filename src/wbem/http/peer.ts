import { isIPv6 } from 'node:net';

/**
 * The key a client is counted under for connection caps and login throttling: its IPv4 address (an IPv4-mapped
 * IPv6 address counts as the IPv4 one), or the /64 prefix of its IPv6 address, as one host or site usually holds a
 * whole /64 (RFC 6177) and could otherwise take a fresh address for every connection.
 *
 * @example
 * peerKey('::ffff:192.0.2.7'); // '192.0.2.7'
 * peerKey('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 */
export function peerKey(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const groups = expand(address.split('%')[0]!);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` expanded, leading zeros dropped, lower case. */
function expand(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const parse = (s: string | undefined) => (s ? s.split(':') : []);
  const h = parse(head);
  const t = parse(tail);
  // A trailing dotted quad (::a.b.c.d) stands for the last two groups.
  const last = t.length ? t : h;
  const quad = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(last[last.length - 1] ?? '');
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    last.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16).toString(16));
}
