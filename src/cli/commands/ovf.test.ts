import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, SHARED } from '../../../test/helpers/cli.js';
import { corpusCases } from '../../../test/helpers/corpus.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-cli-ovf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const positive = corpusCases().find((c) => c.file === 'glennmatthews__cot__COT__tests__csr1000v.ovf')!;
const malformed = corpusCases().find((c) => c.expect === 'malformed')!;

describe('vessel ovf validate', () => {
  it('exits 0 and prints one JSON object per file for a valid descriptor', async () => {
    const r = await runCli(['ovf', 'validate', '--json', positive.path]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o).toMatchObject({ file: positive.path, valid: true, ovfVersion: '1.0' });
    expect(Array.isArray(o.diagnostics)).toBe(true);
  });

  it('exits 1 when a file has errors, with code, severity, line, column and message', async () => {
    const bad = join(dir, 'bad.ovf');
    writeFileSync(
      bad,
      `<?xml version="1.0"?>\n<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">\n<References/>\n<DiskSection><Info>d</Info>\n<Disk ovf:diskId="d1" ovf:capacity="1" ovf:fileRef="nofile"/></DiskSection>\n<VirtualSystem ovf:id="a"><Info>x</Info></VirtualSystem></Envelope>\n`,
    );
    const r = await runCli(['ovf', 'validate', '--json', bad, positive.path]);
    expect(r.code).toBe(1);
    const [first, second] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.valid).toBe(false);
    expect(second.valid).toBe(true);
    const errors = first.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const d of first.diagnostics)
      expect(Object.keys(d)).toEqual(
        expect.arrayContaining(['code', 'severity', 'line', 'column', 'message']),
      );
    expect(
      errors.some((d: { line: number; message: string }) => d.line === 5 && d.message.includes('nofile')),
    ).toBe(true);
  });

  it('exits 2 on XML that is not well formed and on a missing file, naming the line', async () => {
    const r = await runCli(['ovf', 'validate', '--json', malformed.path]);
    expect(r.code).toBe(2);
    const o = JSON.parse(r.stdout.trim());
    expect(o.valid).toBe(false);
    expect(o.diagnostics[0].code).toBe('OVF_XML_SYNTAX');
    expect(o.diagnostics[0].line).toBeGreaterThanOrEqual(1);
    const missing = await runCli(['ovf', 'validate', join(dir, 'nope.ovf')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('no such file');
  });

  it('exits 2 on a descriptor with a DOCTYPE and does not expand it', async () => {
    const f = join(dir, 'xxe.ovf');
    writeFileSync(
      f,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">&e;</Envelope>',
    );
    const r = await runCli(['ovf', 'validate', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('OVF_XML_DOCTYPE');
    expect(r.stdout).not.toContain('root:');
  });

  it('rejects an unknown target with a usage error', async () => {
    const r = await runCli(['ovf', 'validate', '--target', 'nope', positive.path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unknown --target');
  });
});

describe('vessel ovf new, edit, info and format', () => {
  it('authors a descriptor, edits it and reports it', async () => {
    const f = join(dir, 'app.ovf');
    expect((await runCli(['ovf', 'new', 'app', '-o', f, '--cpus', '2', '--memory', '1G'])).code).toBe(0);
    const e = await runCli([
      'ovf',
      'edit',
      f,
      '--product',
      'App',
      '--vendor',
      'Acme',
      '--product-version',
      '2.1',
      '--property',
      'hostname=app1',
      '--property-type',
      'hostname=string',
      '--property-qualifiers',
      'hostname=MaxLen(63)',
      '--user-configurable',
      'hostname',
      '--nic',
      'lan:virtio',
      '--blank-disk',
      '4G',
      '--annotation',
      'hello',
    ]);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const info = await runCli(['ovf', 'info', '--json', f]);
    expect(info.code).toBe(0);
    const o = JSON.parse(info.stdout);
    const sys = o.systems[0];
    expect(sys.products[0]).toMatchObject({ product: 'App', vendor: 'Acme', version: '2.1' });
    expect(sys.properties[0]).toMatchObject({
      key: 'hostname',
      type: 'string',
      value: 'app1',
      qualifiers: 'MaxLen(63)',
      userConfigurable: true,
    });
    expect(sys.hardware[0]).toMatchObject({ cpus: 2, memoryBytes: 2 ** 30 });
    expect(sys.hardware[0].nics[0]).toMatchObject({ model: 'virtio', network: 'lan' });
    expect(o.disks[0]).toMatchObject({ capacityBytes: 4 * 2 ** 30 });
    expect(sys.annotation).toBe('hello');
    const human = await runCli(['ovf', 'info', f]);
    expect(human.stdout).toContain('2 CPU(s), 1 GiB memory');
  });

  it('edit refuses a bad value without touching the file', async () => {
    const f = join(dir, 'keep.ovf');
    await runCli(['ovf', 'new', 'keep', '-o', f]);
    const before = readFileSync(f, 'utf8');
    const r = await runCli(['ovf', 'edit', f, '--cpus', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CPU count 0');
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('edit --cpus/--memory --config on COT input.ovf changes that option only, without a duplicate item', async () => {
    const input = corpusCases().find((c) => c.file === 'glennmatthews__cot__COT__tests__input.ovf')!;
    const out = join(dir, 'input-edited.ovf');
    const r = await runCli([
      'ovf',
      'edit',
      input.path,
      '-o',
      out,
      '--cpus',
      '8',
      '--memory',
      '8G',
      '--config',
      '2CPU-2GB-1NIC',
      '--config',
      '1CPU-1GB-1NIC',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const info = JSON.parse((await runCli(['ovf', 'info', '--json', out])).stdout);
    const hw = info.systems[0].hardware as { configuration: string; cpus: number; memoryBytes: number }[];
    expect(hw.map((h) => [h.configuration, h.cpus])).toEqual([
      ['1CPU-1GB-1NIC', 8],
      ['2CPU-2GB-1NIC', 8],
      ['4CPU-4GB-3NIC', 4],
    ]);
    expect(hw[2]?.memoryBytes).toBe(4 * 2 ** 30);
    const text = readFileSync(out, 'utf8');
    expect(text.match(/<rasd:ResourceType>3<\/rasd:ResourceType>/g)).toHaveLength(4); // one override added, for 1CPU
    expect((await runCli(['ovf', 'validate', out])).code).toBe(0);
  });

  it('edit refuses an undefined option, an edit that would make the descriptor invalid, and contradictory flags', async () => {
    const f = join(dir, 'refuse.ovf');
    await runCli(['ovf', 'new', 'refuse', '-o', f]);
    const before = readFileSync(f, 'utf8');
    const nic = await runCli(['ovf', 'edit', f, '--nic', 'lan', '--config', 'nope']);
    expect(nic.code).toBe(1);
    expect(nic.stderr).toContain('No deployment option has the id "nope"');
    const invalid = await runCli(['ovf', 'edit', f, '--add-config', '']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(
      'would make the descriptor invalid, so nothing was written: OVF_MISSING_ATTRIBUTE',
    );
    const twice = await runCli(['ovf', 'edit', f, '--cpus', '2', '--cpus', '4']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--cpus was given 2 different values (2, 4)');
    const caps = await runCli(['ovf', 'edit', f, '--disk', f, '--disk', f]);
    expect(caps.code).toBe(2);
    expect(caps.stderr).toContain('2 --disk and 0 --disk-capacity');
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('edit keeps every value of a repeated option: two blank disks, two NICs, two networks in order', async () => {
    const f = join(dir, 'repeat.ovf');
    await runCli(['ovf', 'new', 'repeat', '-o', f]);
    const r = await runCli([
      'ovf',
      'edit',
      f,
      '--blank-disk',
      '1G',
      '--blank-disk',
      '2G',
      '--nic',
      'a:vmxnet3',
      '--nic',
      'b:E1000',
      '--nic-network',
      'x',
      '--nic-network',
      'y',
    ]);
    expect(r.stderr).toBe('');
    const info = JSON.parse((await runCli(['ovf', 'info', '--json', f])).stdout);
    expect(info.disks.map((d: { capacityBytes: number }) => d.capacityBytes)).toEqual([2 ** 30, 2 ** 31]);
    const hw = info.systems[0].hardware[0];
    expect(hw.nics.map((n: { model: string; network: string }) => [n.model, n.network])).toEqual([
      ['vmxnet3', 'x'],
      ['e1000', 'y'],
    ]);
    expect(hw.disks.map((d: { address: string }) => d.address)).toEqual(['SCSI 0:0', 'SCSI 0:1']);
    const human = await runCli(['ovf', 'info', f]);
    expect(human.stdout).toContain('at SCSI 0:1');
    expect(human.stdout).toContain('nic Ethernet 1: vmxnet3 -> x');
  });

  it('edit --property checks the value against type and qualifiers, and normalises booleans', async () => {
    const input = corpusCases().find((c) => c.file === 'glennmatthews__cot__COT__tests__input.ovf')!;
    const f = join(dir, 'props.ovf');
    writeFileSync(f, readFileSync(input.path));
    const ok = await runCli(['ovf', 'edit', f, '--property', 'enable-ssh-server=Yes']);
    expect(ok.code).toBe(0);
    expect(readFileSync(f, 'utf8')).toContain(
      'ovf:key="enable-ssh-server" ovf:type="boolean" ovf:userConfigurable="true" ovf:value="true"',
    );
    const before = readFileSync(f, 'utf8');
    const long = await runCli(['ovf', 'edit', f, '--property', `hostname=${'h'.repeat(64)}`]);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('more than MaxLen(63)');
    const unknown = await runCli(['ovf', 'edit', f, '--property', 'newkey=1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--property-type newkey=string');
    expect(readFileSync(f, 'utf8')).toBe(before);
  });

  it('info --eula prints the EULA texts (and --json carries them); info shows the transport and URLs', async () => {
    const eula = join(
      SHARED,
      'ovf-corpus',
      'vmware__govmomi__ovf__fixtures__external__ImportOvf2014__eula.ovf',
    );
    const text = await runCli(['ovf', 'info', '--eula', eula]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Second license for VM 2');
    const json = JSON.parse((await runCli(['ovf', 'info', '--eula', '--json', eula])).stdout);
    expect(json.eulas.map((e: { system: string }) => e.system)).toEqual(['vs1', 'vs2', 'vs2']);
    const human = await runCli([
      'ovf',
      'info',
      join(SHARED, 'ovf-corpus', 'glennmatthews__cot__COT__tests__input.ovf'),
    ]);
    expect(human.stdout).toMatch(/OVF environment transport: iso/);
    expect(human.stdout).toMatch(/vendor URL: VENDOR_URL/);
    expect(human.stdout).toMatch(/at SCSI 0:0/);
  });

  it('edit --add-file/--remove-file change References and the package, beside a descriptor or in an OVA', async () => {
    const d = mkdtempSync(join(dir, 'files-'));
    const conf = join(d, 'day0.txt');
    writeFileSync(conf, 'hostname r1\n');
    const src = join(SHARED, 'ovf-corpus', 'glennmatthews__cot__COT__tests__input.ovf');
    const out = join(d, 'sub', 'out.ovf');
    mkdirSync(join(d, 'sub'));
    const r = await runCli(['ovf', 'edit', src, '-o', out, '--add-file', conf, '--file-id', 'day0']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 'sub', 'day0.txt'), 'utf8')).toBe('hostname r1\n');
    expect(readFileSync(out, 'utf8')).toContain('ovf:id="day0" ovf:href="day0.txt" ovf:size="12"');
    const clash = await runCli(['ovf', 'edit', src, '-o', out, '--add-file', conf, '--file-id', 'file1']);
    expect([clash.code, clash.stderr]).toEqual([1, expect.stringContaining('id "file1" is already')]);
    const used = await runCli(['ovf', 'edit', src, '-o', out, '--remove-file', 'input.vmdk']);
    expect([used.code, used.stderr]).toEqual([1, expect.stringContaining('still used by disk "vmdisk1"')]);
    mkdirSync(join(d, 'h'));
    writeFileSync(join(d, 'h', 'out.ovf'), 'x');
    const self = await runCli(['ovf', 'edit', src, '-o', out, '--add-file', join(d, 'h', 'out.ovf')]);
    expect([self.code, self.stderr]).toEqual([2, expect.stringContaining('name of the descriptor')]);
    writeFileSync(join(d, 'h', 'testserver.mf'), 'x');
    const ovaSrc = join(SHARED, 'ovf-corpus', 'ova', 'openstack__glance__glance__tests__var__testserver.ova');
    const mf = await runCli([
      'ovf',
      'edit',
      ovaSrc,
      '-o',
      join(d, 'mf.ova'),
      '--add-file',
      join(d, 'h', 'testserver.mf'),
    ]);
    expect([mf.code, mf.stderr, existsSync(join(d, 'mf.ova'))]).toEqual([
      1,
      expect.stringContaining('manifest'),
      false,
    ]);
    const missing = await runCli(['ovf', 'edit', src, '-o', out, '--add-file', join(d, 'none')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('no such file')]);
    const ova = join(SHARED, 'ovf-corpus', 'ova', 'openstack__glance__glance__tests__var__testserver.ova');
    const a = join(d, 'a.ova');
    expect((await runCli(['ovf', 'edit', ova, '-o', a, '--add-file', conf])).code).toBe(0);
    expect((await runCli(['ova', 'verify', a])).code).toBe(0);
    // Removing a member and adding a local file of the same name replaces its content.
    mkdirSync(join(d, 'new'));
    writeFileSync(join(d, 'new', 'day0.txt'), 'hostname r2\n');
    const swap = ['ovf', 'edit', a, '--remove-file', 'day0.txt', '--add-file', join(d, 'new', 'day0.txt')];
    expect((await runCli(swap)).code).toBe(0);
    expect((await runCli(['ova', 'unpack', a, join(d, 'x')])).code).toBe(0);
    expect(readFileSync(join(d, 'x', 'day0.txt'), 'utf8')).toBe('hostname r2\n');
    const b = join(d, 'b.ova');
    const gone = await runCli(['ovf', 'edit', a, '-o', b, '--remove-file', 'file1', '--remove-file-users']);
    expect(gone.code).toBe(0);
    const info = JSON.parse((await runCli(['ovf', 'info', '--json', b])).stdout);
    expect(info.files.map((f: { href: string }) => f.href)).toEqual(['day0.txt']);
    expect(info.disks).toEqual([]);
    expect((await runCli(['ova', 'verify', b])).code).toBe(0);
  });

  it('edit --add-disk reads capacity and format from the image, places it, converts only when asked', async () => {
    const d = mkdtempSync(join(dir, 'disks-'));
    const qcow = join(d, 'data.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow, '3G']);
    const vmdk = join(d, 'data.vmdk');
    execFileSync('qemu-img', ['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', qcow, vmdk]);
    const src = join(SHARED, 'ovf-corpus', 'glennmatthews__cot__COT__tests__input.ovf');
    const out = join(d, 'out.ovf');
    const info = async (f: string) => JSON.parse((await runCli(['ovf', 'info', '--json', f])).stdout);
    expect(
      (await runCli(['ovf', 'edit', src, '-o', out, '--add-disk', vmdk, '--controller', 'ide'])).code,
    ).toBe(0);
    const o = await info(out);
    expect(o.disks[1]).toMatchObject({
      capacityBytes: 3 * 2 ** 30,
      format: expect.stringContaining('streamOptimized'),
    });
    expect(
      o.systems[0].hardware
        .find((h: { configuration?: string }) => h.configuration === '1CPU-1GB-1NIC')
        .disks.map((x: { address: string }) => x.address),
    ).toEqual(['SCSI 0:0', 'IDE 0:0']);
    const refused = await runCli(['ovf', 'edit', src, '-o', out, '--add-disk', qcow]);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('--convert-disk')]);
    const ova = join(SHARED, 'ovf-corpus', 'ova', 'openstack__glance__glance__tests__var__testserver.ova');
    const a = join(d, 'a.ova');
    const conv = ['ovf', 'edit', ova, '-o', a, '--add-disk', qcow, '--convert-disk', '--disk-id', 'vmdisk2'];
    expect((await runCli(conv)).code).toBe(0);
    expect((await runCli(['ova', 'verify', a])).code).toBe(0);
    const oa = await info(a);
    expect(oa.disks).toMatchObject([{ diskId: 'vmdisk2', capacityBytes: 3 * 2 ** 30 }]);
    expect(oa.files.map((f: { href: string }) => f.href)).toEqual(['data.vmdk']);
    const full = ['ovf', 'edit', src, '-o', out, '--controller', 'ide', '--add-disk', vmdk];
    const second = join(d, 'data2.vmdk');
    writeFileSync(second, readFileSync(vmdk));
    const third = join(d, 'data3.vmdk');
    writeFileSync(third, readFileSync(vmdk));
    const r = await runCli([...full, '--add-disk', second, '--add-disk', third]);
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining('every IDE controller is full')]);
  });

  it('edit --inject-config puts config files on an ISO in an empty CD-ROM drive, or a new one', async () => {
    const d = mkdtempSync(join(dir, 'inject-'));
    const conf = join(d, 'iosxe_config.txt');
    writeFileSync(conf, 'hostname r1\n');
    const src = join(SHARED, 'ovf-corpus', 'glennmatthews__cot__COT__tests__input.ovf');
    const out = join(d, 'out.ovf');
    expect((await runCli(['ovf', 'edit', src, '-o', out, '--inject-config', conf])).code).toBe(0);
    const iso = join(d, 'config.iso');
    expect(existsSync(iso)).toBe(true);
    expect(execFileSync('isoinfo', ['-R', '-f', '-i', iso]).toString()).toContain('/iosxe_config.txt');
    const info = JSON.parse((await runCli(['ovf', 'info', '--json', out])).stdout);
    const media = info.systems[0].hardware.find(
      (h: { configuration?: string }) => h.configuration === '1CPU-1GB-1NIC',
    ).media;
    expect(
      media.map((m: { address: string; hostResource: string }) => `${m.address} ${m.hostResource}`),
    ).toEqual(['IDE 1:0 ovf:/file/file2', 'IDE 1:1 ovf:/file/file3']);
    const again = await runCli(['ovf', 'edit', out, '--inject-config', conf]);
    expect([again.code, again.stderr]).toEqual([
      1,
      expect.stringContaining('"config.iso" is already in References'),
    ]);
    const nvme = await runCli([
      'ovf',
      'edit',
      src,
      '-o',
      out,
      '--inject-config',
      conf,
      '--controller',
      'nvme',
    ]);
    expect([nvme.code, nvme.stderr]).toEqual([1, expect.stringContaining('cannot sit on NVME')]);
    const ova = join(SHARED, 'ovf-corpus', 'ova', 'openstack__glance__glance__tests__var__testserver.ova');
    const a = join(d, 'a.ova');
    const r = await runCli([
      'ovf',
      'edit',
      ova,
      '-o',
      a,
      '--inject-config',
      conf,
      '--config-iso',
      'day0.iso',
    ]);
    expect(r.code).toBe(0);
    expect((await runCli(['ova', 'verify', a])).stdout).toMatch(/day0\.iso .* ok/);
  });

  it('edit sets NIC models, names and MACs, serial ports, VirtualSystemType, and folds to one option', async () => {
    const d = mkdtempSync(join(dir, 'hw-'));
    const src = join(SHARED, 'ovf-corpus', 'glennmatthews__cot__COT__tests__input.ovf');
    const out = join(d, 'out.ovf');
    const edit = [
      ...['ovf', 'edit', src, '-o', out, '--nic-model', 'virtio', '--nic-name', 'eth{0}'],
      ...[
        '--mac',
        '52:54:00:00:00:01',
        '--serial-ports',
        '3',
        '--serial-connectivity',
        'telnet://localhost:8101',
      ],
      ...['--virtual-system-type', 'vmx-14 qemu', '--delete-all-other-configurations'],
    ];
    const r = await runCli(edit);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const info = JSON.parse((await runCli(['ovf', 'info', '--json', out])).stdout);
    expect(info.configurations).toEqual([]);
    const s = info.systems[0];
    expect(s.virtualSystemType).toBe('vmx-14 qemu');
    const h = s.hardware[0];
    expect([h.cpus, h.nics.map((n: { name: string; model: string }) => `${n.name}:${n.model}`)]).toEqual([
      4,
      ['eth0:virtio', 'eth1:virtio', 'eth2:virtio'],
    ]);
    expect(h.other.filter((o: { type: string }) => o.type === 'Serial port')).toHaveLength(3);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toContain('<rasd:Address>52:54:00:00:00:01</rasd:Address>');
    expect(xml).toContain('<rasd:Address>telnet://localhost:8101</rasd:Address>');
    const bad = await runCli(['ovf', 'edit', src, '-o', out, '--mac', 'ff:ff:ff:ff:ff:ff']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('group')]);
    const two = [
      '--delete-all-other-configurations',
      '--config',
      '1CPU-1GB-1NIC',
      '--config',
      '2CPU-2GB-1NIC',
    ];
    const r2 = await runCli(['ovf', 'edit', src, '-o', out, ...two]);
    expect([r2.code, r2.stderr]).toEqual([2, expect.stringContaining('give one --config')]);
    const vst = await runCli(['ovf', 'edit', src, '-o', out, '--virtual-system-type', 'vmx-99']);
    expect(vst.code).toBe(1);
  });

  it('format writes a descriptor that parses to the same info', async () => {
    const out = await runCli(['ovf', 'format', positive.path]);
    expect(out.code).toBe(0);
    const f = join(dir, 'formatted.ovf');
    writeFileSync(f, out.stdout);
    const a = JSON.parse((await runCli(['ovf', 'info', '--json', positive.path])).stdout);
    const b = JSON.parse((await runCli(['ovf', 'info', '--json', f])).stdout);
    expect(b).toEqual(a);
  });

  it('info reads the descriptor inside an OVA, and refuses an OVA whose descriptor is not well formed', async () => {
    const ovaDir = join(SHARED, 'ovf-corpus', 'ova');
    const good = await runCli([
      'ovf',
      'info',
      '--json',
      join(ovaDir, 'openstack__glance__glance__tests__var__testserver.ova'),
    ]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).systems[0].id).toBe('testserver');
    const bad = await runCli([
      'ovf',
      'info',
      join(ovaDir, 'openstack__glance__glance__tests__var__testserver-bad-ovf.ova'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not well formed');
  });

  it('validate, format and edit take an OVA as info does; edit writes a new OVA with a fresh manifest', async () => {
    const ovaDir = join(SHARED, 'ovf-corpus', 'ova');
    const ova = join(ovaDir, 'openstack__glance__glance__tests__var__testserver.ova');
    const v = await runCli(['ovf', 'validate', '--json', ova]);
    expect(v.stderr).toBe('');
    const report = JSON.parse(v.stdout);
    expect(report.ovfVersion).toBe('1.0');
    // VirtualBox 4 wrote ResourceType 35 (its sound card) and an Info-less ResourceAllocationSection: real errors.
    expect(report.diagnostics.map((d: { code: string }) => d.code)).toContain('OVF_RESOURCE_TYPE_UNKNOWN');
    expect(v.code).toBe(1);
    const f = await runCli(['ovf', 'format', ova]);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain('<ovf:VirtualSystem ovf:id="testserver">');
    const out = join(dir, 'edited.ova');
    const e = await runCli(['ovf', 'edit', ova, '-o', out, '--cpus', '3', '--memory', '1G']);
    expect(e.code, e.stderr).toBe(0);
    const verify = await runCli(['ova', 'verify', '--json', out]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ intact: true, manifest: { algorithms: ['sha256'] } });
    const info = JSON.parse((await runCli(['ovf', 'info', '--json', out])).stdout);
    expect(info.systems[0].hardware[0]).toMatchObject({
      cpus: 3,
      memoryBytes: 1073741824,
    });
    // Hostile edits of a package write nothing: a directory as a disk, a member climbing out of the package.
    const refused = await runCli([
      'ovf',
      'edit',
      ova,
      '-o',
      join(dir, 'never.ova'),
      '--disk',
      dir,
      '--disk-capacity',
      '1M',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not a regular file');
    expect(existsSync(join(dir, 'never.ova'))).toBe(false);
    const asOvf = await runCli(['ovf', 'edit', ova, '-o', join(dir, 'never.ovf'), '--cpus', '2']);
    expect(asOvf.code).toBe(2);
    expect(asOvf.stderr).toContain('an edit of an OVA writes an OVA');
    expect(existsSync(join(dir, 'never.ovf'))).toBe(false);
    // A damaged or compressed package is named for what it is, not read as bad XML.
    const notTar = join(ovaDir, 'openstack__glance__glance__tests__var__testserver-not-tar.ova');
    for (const cmd of [['validate'], ['format'], ['edit', '--cpus', '2', '-o', join(dir, 'x.ova')]]) {
      const r = await runCli(['ovf', cmd[0]!, notTar, ...cmd.slice(1)]);
      expect(r.code).toBe(1); // OVA_NOT_TAR, as `ova verify` and `ovf info` exit
      expect(r.stdout + r.stderr).toContain('not a tar archive');
    }
  }, 120_000);

  it('validate names a gzip-compressed OVA for what it is, with the hint to decompress it', async () => {
    const ova = join(SHARED, 'ovf-corpus', 'ova', 'openstack__glance__glance__tests__var__testserver.ova');
    const gz = join(dir, 'compressed.ova');
    writeFileSync(gz, gzipSync(readFileSync(ova)));
    const r = await runCli(['ovf', 'validate', gz]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('is gzip-compressed, not a tar archive');
    expect(r.stdout).toContain('hint: Decompress it with gunzip first.');
  });

  it('prints help for every ovf command', async () => {
    for (const sub of ['validate', 'info', 'format', 'new', 'edit']) {
      const r = await runCli(['ovf', sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: vessel ovf');
    }
  });
});
