import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type ControllerKind, DEFAULT_LIMITS, DefinitionBuilder, type DriveKind } from '../../model/index.js';
import { buildQemuArgv } from './argv.js';
import { qemuBinary } from './binary.js';
import { QemuHandles } from './handles.js';
import { QEMU_SLOTS } from './slots.js';
import { validateForQemu } from './validate.js';

/** A system with one controller of `kind` and one drive at `slot` on it (the drive's InstanceID is `4`). */
function oneDrive(kind: ControllerKind, slot: number, drive: DriveKind = 'disk') {
  const b = new DefinitionBuilder({ ElementName: 'slots' });
  b.cpus(1);
  b.memory(64n << 20n);
  const ctl = b.controller(kind);
  b.drive(drive, { controller: ctl, slot }, '/images/a.raw');
  return b.build();
}

/** The controller and drive `-device` arguments the command line gives a definition, checks skipped. */
function devices(def: ReturnType<typeof oneDrive>): string[] {
  const argv = buildQemuArgv(def, {
    uuid: '00000000-0000-4000-8000-000000000009',
    accel: 'tcg',
    qmpSocket: '/run/x/qmp.sock',
    handles: new QemuHandles(),
    console: { socket: '/run/x/c.sock', log: '/run/x/c.log', extraLog: () => '/run/x/s.log' },
    images: new Map([['4', { file: '/run/x/a.qcow2', format: 'qcow2' }]]),
  });
  return argv.flatMap((a, i) =>
    argv[i - 1] === '-device' && !a.startsWith('virtio-balloon') ? ['-device', a] : [],
  );
}

/** Whether QEMU takes those devices, the drive backed by a null block node: `ok` or QEMU's complaint. */
function qemuTakes(args: string[]): string {
  const r = spawnSync(
    qemuBinary(),
    [
      ...['-machine', 'pc,accel=tcg', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio'],
      ...['-blockdev', 'null-co,node-name=drive-4', ...args],
    ],
    { input: 'quit\n', encoding: 'utf8', timeout: 30_000 },
  );
  const complaint = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.includes('qemu-system'));
  return complaint?.replace(/^.*?-device [^:]*: /, '') ?? 'ok';
}

// Kind, the last slot QEMU_SLOTS gives, and whether QEMU itself refuses the next one: the SAS, PVSCSI and MegaRAID
// buses take one id more than their guest interface addresses (8 ports, 64 targets); LSI id 7 is the HBA's own.
const CASES: [ControllerKind, number, boolean][] = [
  ['ide', 1, true],
  ['ahci', 5, true],
  ['nvme', 255, true],
  ['virtio-scsi', 255, true],
  ['lsilogic', 6, false],
  ['buslogic', 6, false],
  ['lsisas', 7, false],
  ['pvscsi', 63, false],
  ['megasas', 63, false],
];

describe('QEMU_SLOTS, the slots QEMU gives a drive', () => {
  it('says what QEMU 7.2 was measured to take: AHCI 6 ports, LSI Logic 8 ids with 7 its own, SAS 8', () => {
    expect(
      Object.fromEntries(CASES.map(([k]) => [k, [QEMU_SLOTS.slots(k), QEMU_SLOTS.reserved(k, 7)]])),
    ).toEqual({
      ide: [2, false],
      ahci: [6, false],
      nvme: [256, false],
      'virtio-scsi': [256, false],
      lsilogic: [8, true],
      buslogic: [8, true],
      lsisas: [8, false],
      pvscsi: [64, true],
      megasas: [64, false],
    });
    expect(QEMU_SLOTS.slots('usb')).toBe(0);
    expect(QEMU_SLOTS.cdrom('nvme')).toBe(false);
    expect(QEMU_SLOTS.cdrom('virtio-blk')).toBe(true);
  });

  it.each(CASES)(
    'real QEMU takes a disk at the last %s slot (%i) as the command line gives it',
    (kind, last, refusesNext) => {
      expect(qemuTakes(devices(oneDrive(kind, last)))).toBe('ok');
      if (refusesNext) expect(qemuTakes(devices(oneDrive(kind, last + 1)))).not.toBe('ok');
    },
  );

  it("is what the driver's validate checks, before a system is defined", () => {
    const errors = (def: ReturnType<typeof oneDrive>) =>
      validateForQemu(def, 'deploy', { limits: DEFAULT_LIMITS, networks: new Map() })
        .filter((p) => p.severity === 'error')
        .map((p) => p.message);
    expect(errors(oneDrive('ahci', 5))).toEqual([]);
    expect(errors(oneDrive('ahci', 6))).toEqual([
      expect.stringContaining('address 6 on SATA (AHCI) controller "3" is out of range 0..5'),
    ]);
    expect(errors(oneDrive('lsilogic', 7))).toEqual([expect.stringContaining("is the controller's own")]);
    expect(errors(oneDrive('nvme', 0, 'cdrom'))).toEqual([
      expect.stringContaining('CD/DVD "4" cannot sit on NVMe controller "3"'),
    ]);
  });
});
