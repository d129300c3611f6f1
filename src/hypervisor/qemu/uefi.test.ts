import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefinition } from '../../model/index.js';
import { ensureTestGuest } from '../guest.js';
import { parseDriverUri } from '../uri.js';
import { openQemuDriver } from './open.js';
import { uefiFirmware } from './uefi.js';

const state = mkdtempSync(join(tmpdir(), 'vessel-uefi-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

describe('UEFI firmware (OVMF)', () => {
  it('finds the installed OVMF and gives each VM its own variable store', () => {
    const dir = mkdtempSync(join(state, 'vm-'));
    const fw = uefiFirmware(dir, true);
    expect(fw?.code).toMatch(/OVMF_CODE(_4M)?\.fd$/);
    expect(fw?.vars).toBe(join(dir, 'uefi-vars.fd'));
    expect(existsSync(join(dir, 'uefi-vars.fd'))).toBe(true);
  });

  it('starts an EFI system on OVMF: the firmware runs and reports on the serial console', async () => {
    const guest = await ensureTestGuest();
    const d = await openQemuDriver(parseDriverUri('qemu:///embed?accel=tcg'), { stateDir: state });
    try {
      const vm = await d.define(
        buildDefinition({
          name: 'efi1',
          cpus: 1,
          memoryBytes: 256n << 20n,
          disks: [guest.disk],
          firmware: 'efi',
        }),
      );
      await d.start(vm.uuid);
      const pid = readFileSync(join(d.runPaths(vm.uuid).dir, 'qemu.pid'), 'utf8').trim();
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv.some((a) => a.includes('pflash0=pflash0,pflash1=pflash1'))).toBe(true);
      // QEMU holds the firmware code read-only and its own variable store read-write, both opened by the host.
      const access = (re: RegExp) =>
        readdirSync(`/proc/${pid}/fd`)
          .filter((fd) => re.test(readlinkSync(`/proc/${pid}/fd/${fd}`)))
          .map(
            (fd) =>
              Number.parseInt(
                /flags:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))![1]!,
                8,
              ) & 3,
          );
      expect(new Set(access(/OVMF_CODE/))).toEqual(new Set([0])); // O_RDONLY
      expect(new Set(access(/uefi-vars\.fd$/))).toEqual(new Set([2])); // O_RDWR
      // The test guest boots with syslinux (BIOS only), so OVMF's boot manager reports on the serial port instead.
      const con = await d.console(vm.uuid);
      let log = '';
      for (let i = 0; i < 600 && !/BdsDxe|UEFI|EFI/.test(log); i++) {
        await new Promise((r) => setTimeout(r, 100));
        log = await con.readLog();
      }
      expect(log).toMatch(/BdsDxe|UEFI|EFI/);
      expect(await d.getState(vm.uuid)).toMatchObject({ state: 'running' });
      await d.powerOff(vm.uuid);
    } finally {
      await d.close();
    }
  }, 90_000);
});
