import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli } from '../../../test/helpers/cli.js';
import { CORPUS } from '../../../test/helpers/corpus.js';

/** `vessel convert` end to end: the built CLI, real images measured by qemu-img, real files. */
const FIX = join(ROOT, 'test', 'fixtures', 'formats', 'inputs');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-convert-cli-'));
  for (const f of ['web1.vmx', 'web1.ovf', 'web1.yaml']) copyFileSync(join(FIX, f), join(dir, f));
  for (const [name, fmt, size] of [
    ['web1.vmdk', 'vmdk', '16G'],
    ['web1-data.vmdk', 'vmdk', '4G'],
    ['web1-fast.vmdk', 'vmdk', '2G'],
  ]) {
    execFileSync('qemu-img', ['create', '-q', '-f', fmt!, join(dir, name!), size!]);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vessel convert', () => {
  it('converts a vmx to OVF, reading the disk capacities from the images beside it natively', async () => {
    const out = join(dir, 'web1.ovf.out');
    const r = await runCli(['convert', join(dir, 'web1.vmx'), '--to', 'ovf', '-o', out]);
    expect(r.code).toBe(0);
    const ovf = readFileSync(out, 'utf8');
    expect(ovf).toContain('ovf:href="web1.vmdk"');
    expect(ovf).toMatch(/ovf:capacity="16" ovf:capacityAllocationUnits="byte \* 2\^30"/);
    expect(ovf).toMatch(/ovf:capacity="2" ovf:capacityAllocationUnits="byte \* 2\^30"/);
    expect(r.stderr).toContain(
      'vessel: warning [DEVICE]: The sound card (sound.present) has no place in the definition; dropped',
    );
  });

  it('reads the images a vmx names natively, never opening what an image names in turn (a FIFO extent)', async () => {
    const sub = mkdtempSync(join(dir, 'fifo-'));
    execFileSync('mkfifo', [join(sub, 'trap')]);
    // A VMDK descriptor whose extent is a FIFO: qemu-img info would open it and block until a writer came.
    writeFileSync(
      join(sub, 'web1.vmdk'),
      `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 12582912 FLAT "trap" 0\n`,
    );
    copyFileSync(join(dir, 'web1.vmx'), join(sub, 'web1.vmx'));
    for (const f of ['web1-data.vmdk', 'web1-fast.vmdk']) copyFileSync(join(dir, f), join(sub, f));
    const r = await runCli(['convert', join(sub, 'web1.vmx'), '--to', 'ovf', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { output: string };
    expect(out.output).toContain('ovf:href="web1.vmdk"');
    expect(out.output).toMatch(/ovf:capacity="6" ovf:capacityAllocationUnits="byte \* 2\^30"/); // from the descriptor
  });

  it('prints the result on stdout and what was lost on stderr, exiting 0; --strict exits 1', async () => {
    const r = await runCli(['convert', join(dir, 'web1.ovf'), '--to', 'vmx']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('displayName = "web1"');
    expect(r.stderr).toContain(
      'vessel: warning [CONFIGURATION]: vmx has no equivalent of deployment options; used "small"',
    );
    const strict = await runCli(['convert', join(dir, 'web1.ovf'), '--to', 'vmx', '--strict']);
    expect(strict.code).toBe(1);
  });

  it('--config picks the deployment option', async () => {
    const r = await runCli(['convert', join(dir, 'web1.ovf'), '--to', 'vmx', '--config', 'large']);
    expect(r.stdout).toContain('numvcpus = "8"');
    expect(r.stdout).toContain('memsize = "16384"');
  });

  it('--json gives the output, the warnings and the disks to upload', async () => {
    const r = await runCli(['convert', join(dir, 'web1.ovf'), '--to', 'kubevirt', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.from).toBe('ovf');
    expect(parse(j.output).kind).toBe('VirtualMachine');
    expect(j.warnings.map((w: { code: string }) => w.code)).toContain('CONFIGURATION');
    expect(j.disks[0]).toEqual({
      source: 'web1-disk1.vmdk',
      target: 'web1-disk1',
      capacityBytes: 17179869184,
      format: 'vmdk',
      kind: 'disk',
    });
  });

  it('names the virtctl uploads for a KubeVirt target', async () => {
    const r = await runCli(['convert', join(dir, 'web1.ovf'), '--to', 'kubevirt']);
    expect(r.stderr).toContain(
      'upload: virtctl image-upload dv web1-disk1 --no-create --image-path=web1-disk1.vmdk',
    );
  });

  it('reads the descriptor of an OVA', async () => {
    const r = await runCli([
      'convert',
      join(CORPUS, 'ova', 'openstack__glance__glance__tests__var__testserver.ova'),
      '--to',
      'libvirt',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<domain type="kvm">');
  });

  it('exits 2 for input it cannot read or recognise, 1 for a value it refuses', async () => {
    const unknown = await runCli(['convert', join(ROOT, 'package.json'), '--to', 'ovf']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('is none of OVF, vmx');
    expect((await runCli(['convert', join(dir, 'missing.vmx'), '--to', 'ovf'])).code).toBe(2);
    expect((await runCli(['convert', join(dir, 'web1.vmx'), '--to', 'qcow'])).code).toBe(2);
    writeFileSync(join(dir, 'bad.vmx'), 'config.version = "8"\nnumvcpus = "x"\n');
    const bad = await runCli(['convert', join(dir, 'bad.vmx'), '--to', 'ovf']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.vmx:2: numvcpus is "x", not a whole number');
  });
});
