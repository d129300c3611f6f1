import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityNames, parseNetTable, readSurface } from './surface.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vessel-surface-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('the attack-surface report (issue 16)', () => {
  it('reads listening sockets from /proc/net tables, IPv4 and IPv6, and skips connected ones', () => {
    const tcp = `${HEADER}   0: 00000000:175D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n   1: 0100007F:0050 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n`;
    expect(parseNetTable('tcp', tcp)).toEqual([{ protocol: 'tcp', address: '0.0.0.0', port: 5981 }]);
    const tcp6 = `${HEADER}   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 0\n   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0\n`;
    expect(parseNetTable('tcp6', tcp6)).toEqual([
      { protocol: 'tcp6', address: '::', port: 443 },
      { protocol: 'tcp6', address: '::1', port: 8080 },
    ]);
    const udp = `${HEADER}   0: 0F02000A:0044 00000000:0000 07 0\n`;
    expect(parseNetTable('udp', udp)).toEqual([{ protocol: 'udp', address: '10.0.2.15', port: 68 }]);
  });

  it('skips malformed, hostile and oversized table lines', () => {
    const bad = [
      'garbage',
      '0: ZZZZZZZZ:0050 00000000:0000 0A',
      '0: 00000000:GGGG 00000000:0000 0A',
      '0: 000000:0050 00000000:0000 0A',
      '0: 00000000:00500 00000000:0000 0A',
      `0: ${'0'.repeat(100000)}:0050 00000000:0000 0A`,
      '',
    ].join('\n');
    expect(parseNetTable('tcp', `${HEADER}${bad}`)).toEqual([]);
    const many = HEADER + '0: 00000000:0050 00000000:0000 0A\n'.repeat(10000);
    expect(parseNetTable('tcp', many)).toHaveLength(4096);
  });

  it('names capabilities by bit, unknown bits as cap_N, and ignores a malformed mask', () => {
    expect(capabilityNames('0000000000000000')).toEqual([]);
    expect(capabilityNames('0000000000000400')).toEqual(['net_bind_service']);
    expect(capabilityNames('00000000000000c1')).toEqual(['chown', 'setgid', 'setuid']);
    expect(capabilityNames('8000000000000000')).toEqual(['cap_63']);
    expect(capabilityNames('zz')).toEqual([]);
    expect(capabilityNames('1'.repeat(17))).toEqual([]);
  });

  it('reports this machine as it is: a port just opened, this process and its user, a hostile process name made safe', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    // A program whose name carries an escape sequence and a newline: the report shows neither.
    const evil = join(dir, 'ev\u001b[2Jil\nx');
    await copyFile('/bin/sleep', evil);
    const child = spawn(evil, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = await readSurface();
      expect(r.listening).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port });
      expect(r.self.pid).toBe(process.pid);
      expect(r.self.uid).toBe(process.getuid?.());
      expect(r.processes.find((p) => p.pid === process.pid)?.uid).toBe(process.getuid?.());
      const shown = r.processes.find((p) => p.pid === child.pid);
      // The escape character is replaced; the kernel itself writes the newline as the two characters \n.
      expect(shown?.name).toBe('ev?[2Jil\\nx');
      expect(shown?.name.includes('\u001b') || shown?.name.includes('\n')).toBe(false);
      expect(r.processes.some((p) => p.pid === 2)).toBe(false);
      // The test runner is root here with every capability; the names are capabilities(7)'s.
      if (process.getuid?.() === 0) expect(r.self.bounding).toContain('sys_admin');
      expect(r.self.seccomp === 0 || r.self.seccomp === 2).toBe(true);
    } finally {
      child.kill('SIGKILL');
      server.close();
    }
  });

  it('answers empty lists where there is no /proc', async () => {
    const r = await readSurface(join(dir, 'no-proc'));
    expect(r.listening).toEqual([]);
    expect(r.processes).toEqual([]);
    expect(r.self.effective).toEqual([]);
  });
});
