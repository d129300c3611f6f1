import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../test/helpers/cli.js';
import { buildDefinition, type DriveDevice, readDevices } from '../model/index.js';
import { definitionFromOvf, parseOvf, targetSystem } from '../ovf/index.js';
import { attachEnvironmentCd, ensureSerialConsole, firmwareHint } from './deploy-hardware.js';

const corpus = (name: string) => parseOvf(readFileSync(join(SHARED, 'ovf-corpus', name)));
const HA = 'home-assistant__operating-system__buildroot-external__board__intel__ova__home-assistant.ovf';
const TTY = 'vmware__govmomi__ovf__fixtures__external__standard_ovas__ttylinux__ttylinux.ovf';

describe('firmwareHint()', () => {
  it('reads vmw:Config firmware=efi (Home Assistant) and bios (COT)', () => {
    expect(firmwareHint(targetSystem(corpus(HA)))).toBe('efi');
    expect(firmwareHint(targetSystem(corpus('glennmatthews__cot__COT__tests__vmware.ovf')))).toBe('bios');
    expect(firmwareHint(targetSystem(corpus(TTY)))).toBeUndefined();
  });

  it("reads VirtualBox's <vbox:Machine><Hardware><Firmware type=EFI/>", () => {
    const text = readFileSync(join(SHARED, 'ovf-corpus', HA), 'utf8').replace(
      /<vmw:Config[^>]*firmware[^>]*\/>/,
      '',
    );
    expect(firmwareHint(targetSystem(parseOvf(text)))).toBe('efi');
  });
});

describe('ensureSerialConsole() and attachEnvironmentCd()', () => {
  it('adds a console when there is no serial port, and the environment CD on a free IDE slot', () => {
    const def = buildDefinition({ name: 'v', cpus: 1, memoryBytes: 64n << 20n, disks: ['/d.raw'] });
    def.resources = def.resources.filter((r) => r.properties.ResourceType !== '21');
    expect(ensureSerialConsole(def)).toMatch(/Added serial port/);
    expect(ensureSerialConsole(def)).toBeUndefined();
    const id = attachEnvironmentCd(def, '/s/ovf-env.iso');
    const cd = readDevices(def).byId(id) as DriveDevice;
    expect(cd).toMatchObject({ kind: 'cdrom', hostResource: 'file:///s/ovf-env.iso', slot: 1 });
    expect(cd.controller?.kind).toBe('ide');
  });

  it('adds the environment CD without a controller when no IDE channel has room, for the driver to place', () => {
    const def = buildDefinition({
      name: 's',
      cpus: 1,
      memoryBytes: 64n << 20n,
      disks: ['/d.raw'],
      diskBus: 'sata',
    });
    const id = attachEnvironmentCd(def, '/s/ovf-env.iso');
    const cd = readDevices(def).byId(id) as DriveDevice;
    expect(cd).toMatchObject({ kind: 'cdrom', controller: undefined, slot: undefined });
    expect(cd.parentText).toBeUndefined();
    expect(readDevices(def).controllers.map((c) => c.kind)).toEqual(['ahci']);
  });

  it('uses an empty CD drive of the package when there is one', () => {
    const vbox = 'stephen-fox__vmwareify__vmwareify_test.go__basicOvfFileContents.ovf';
    const { definition } = definitionFromOvf(corpus(vbox));
    expect(attachEnvironmentCd(definition, '/s/e.iso')).toBe('7');
    expect(definition.resources.length).toBe(8);
  });
});

describe('deploy defaults', () => {
  it('gives a system without Processor and Memory items 1 CPU and 512 MiB, with notes', async () => {
    const { defaultCpuAndMemory } = await import('./deploy-hardware.js');
    const def = {
      resources: [
        {
          cimClass: 'CIM_ResourceAllocationSettingData' as const,
          properties: { InstanceID: 'vessel-cpu', ResourceType: '17' },
        },
      ],
    };
    const notes = defaultCpuAndMemory(def);
    expect(notes).toHaveLength(2);
    const props = def.resources.map((r) => r.properties);
    expect(props).toContainEqual(
      expect.objectContaining({ ResourceType: '3', VirtualQuantity: '1', InstanceID: 'vessel-cpu-1' }),
    );
    expect(props).toContainEqual(
      expect.objectContaining({ ResourceType: '4', VirtualQuantity: '512', AllocationUnits: 'byte * 2^20' }),
    );
    expect(defaultCpuAndMemory(def)).toEqual([]);
  });
});
