import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMof } from '../../src/cim/index.js';
import { readOvfPackage, Warnings } from '../../src/formats/index.js';
import { buildExportDescriptor } from '../../src/host/export/descriptor.js';
import {
  buildDefinition,
  bytesOf,
  type CimValue,
  type PropertySpec,
  propertiesOf,
  quantityProperties,
  type RasdClass,
  type ResourceSetting,
  type SettingClass,
} from '../../src/model/index.js';
import {
  createEnvelope,
  definitionFromOvf,
  formatOvf,
  hardwareOf,
  type OvfEnvelope,
  type OvfItem,
  parseOvf,
  targetSystem,
} from '../../src/ovf/index.js';
import { SHARED } from '../helpers/cli.js';
import { samples } from '../helpers/schema.js';
import { xmllintOvf1 } from '../helpers/xmllint.js';

// Every OVF carriage claim of the model's property schema, against the encodings themselves: `native` properties
// round-trip through formatOvf/parseOvf/definitionFromOvf and are in the DMTF XSDs (OVF 1.x: xmllint against
// DSP8023 1.1; OVF 2.x: the CIM 2.41 MOFs and the CIM XSDs OVF 2 drafts use); `none` and `foldedInto` ones are
// not (xmllint refuses them) and the fold keeps the meaning; `extension` ones go through the real writer and reader.

const dir = mkdtempSync(join(tmpdir(), 'vessel-carriage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ELEMENT: Record<'RASD' | 'SASD' | 'EPASD', OvfItem['element']> = {
  RASD: 'Item',
  SASD: 'StorageItem',
  EPASD: 'EthernetPortItem',
};
const RASD_CLASS: Record<OvfItem['element'], RasdClass> = {
  Item: 'CIM_ResourceAllocationSettingData',
  StorageItem: 'CIM_StorageAllocationSettingData',
  EthernetPortItem: 'CIM_EthernetPortAllocationSettingData',
};

/** The properties of a class that an OVF generation carries natively. */
const natives = (cls: SettingClass, enc: 'ovf1' | 'ovf2') =>
  propertiesOf(cls).filter((p) => p.carriage[enc] === 'native');

/** An envelope of one system whose VSSD and items hold exactly the given properties. */
function envelope(
  gen: '1' | '2',
  system: Record<string, CimValue>,
  items: Array<{ element: OvfItem['element']; properties: Record<string, CimValue> }>,
): OvfEnvelope {
  const env = createEnvelope({ name: 'carry', cpus: 1, memoryBytes: 64n << 20n, generation: gen });
  const hw = hardwareOf(targetSystem(env))!;
  hw.system!.properties = system;
  hw.items = items.map(({ element, properties }) => ({
    element,
    resource: { cimClass: RASD_CLASS[element], properties },
    attrs: [],
    extra: [],
  }));
  return env;
}

function write(name: string, env: OvfEnvelope): string {
  const file = join(dir, `${name}.ovf`);
  writeFileSync(file, formatOvf(env));
  return file;
}

/** Reads back a written envelope as the one model. */
const reread = (file: string) => definitionFromOvf(parseOvf(readFileSync(file, 'utf8'))).definition;

function expectCarried(
  got: Record<string, CimValue | undefined>,
  sent: Record<string, CimValue>,
  where: string,
) {
  for (const [k, v] of Object.entries(sent)) expect(got[k], `${where} ${k}`).toEqual(v);
}

describe('OVF 1.x carriage (DSP8023 1.1 and its CIM XSDs)', () => {
  const vssd = samples(natives('VSSD', 'ovf1'));
  const rasd = samples(natives('RASD', 'ovf1'));
  const base = write('ovf1-native', envelope('1', vssd, [{ element: 'Item', properties: rasd }]));

  it('carries every native VSSD and RASD property: schema-valid, and read back as written', () => {
    expect(Object.keys(vssd)).toContain('CreationTime');
    expect(xmllintOvf1([base]).get(base)).toBe(true);
    const def = reread(base);
    expectCarried(def.system, vssd, 'VSSD');
    expect(def.resources).toHaveLength(1);
    expectCarried(def.resources[0]!.properties, rasd, 'RASD');
  });

  it('cannot carry what the schema says it does not: each such property makes the descriptor invalid', () => {
    const minimal = createEnvelope({ name: 'carry', cpus: 1, memoryBytes: 64n << 20n });
    const ok = write('ovf1-minimal', minimal);
    const refused: PropertySpec[] = (['VSSD', 'RASD', 'SASD', 'EPASD'] as const).flatMap((cls) =>
      propertiesOf(cls).filter((p) => p.class === cls && p.carriage.ovf1 !== 'native'),
    );
    expect(refused.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'Firmware',
        'BootOrder',
        'VirtualQuantityUnits',
        'VirtualResourceBlockSize',
        'PortVID',
      ]),
    );
    const files = refused.map((p) => {
      const env = createEnvelope({ name: 'carry', cpus: 1, memoryBytes: 64n << 20n });
      const hw = hardwareOf(targetSystem(env))!;
      const one = samples([p]);
      if (p.class === 'VSSD') Object.assign(hw.system!.properties, one);
      else Object.assign(hw.items[0]!.resource.properties, one);
      return write(`ovf1-refuses-${p.name}`, env);
    });
    const verdicts = xmllintOvf1([ok, ...files]);
    expect(verdicts.get(ok)).toBe(true);
    for (const [i, f] of files.entries()) expect(verdicts.get(f), refused[i]!.name).toBe(false);
  });

  it('folds VirtualQuantityUnits into AllocationUnits: 1 × byte*2^30 is written as a size OVF 1.x readers get right', () => {
    const memory: ResourceSetting = {
      cimClass: 'CIM_ResourceAllocationSettingData',
      properties: {
        InstanceID: '2',
        ResourceType: '4',
        VirtualQuantity: '1',
        VirtualQuantityUnits: 'byte*2^30',
      },
    };
    const bytes = bytesOf(memory)!;
    const { VirtualQuantity, VirtualQuantityUnits, AllocationUnits, ...rest } = memory.properties;
    const folded = { ...rest, ElementName: 'Memory', ...quantityProperties(bytes, 'ovf1') };
    const file = write(
      'ovf1-folded',
      envelope('1', samples(natives('VSSD', 'ovf1')), [{ element: 'Item', properties: folded }]),
    );
    expect(xmllintOvf1([file]).get(file)).toBe(true);
    const back = reread(file).resources[0]!;
    expect(back.properties.VirtualQuantityUnits).toBeUndefined();
    expect(back.properties.AllocationUnits).toBe('byte * 2^30');
    expect(bytesOf(back)).toBe(1n << 30n);
  });
});

describe('OVF 2.x carriage (CIM 2.x: Item, StorageItem, EthernetPortItem)', () => {
  /** Property names the DMTF references define for a class: the CIM 2.41 MOFs and the CIM XSDs of OVF 2 drafts. */
  function reference(cls: 'VSSD' | 'RASD' | 'SASD' | 'EPASD'): Set<string> {
    const mofDir = join(SHARED, 'cim', 'dmtf-schema-2.41');
    const lineage: Record<typeof cls, string[]> = {
      VSSD: ['CIM_ManagedElement', 'CIM_SettingData', 'CIM_VirtualSystemSettingData'],
      RASD: ['CIM_ManagedElement', 'CIM_SettingData', 'CIM_ResourceAllocationSettingData'],
      SASD: [
        'CIM_ManagedElement',
        'CIM_SettingData',
        'CIM_ResourceAllocationSettingData',
        'CIM_StorageAllocationSettingData',
      ],
      EPASD: [
        'CIM_ManagedElement',
        'CIM_SettingData',
        'CIM_ResourceAllocationSettingData',
        'CIM_EthernetPortAllocationSettingData',
      ],
    };
    const names = new Set<string>();
    for (const c of lineage[cls]) {
      const decl = parseMof(readFileSync(join(mofDir, `${c}.mof`), 'utf8'), c).classes.find(
        (x) => x.name === c,
      )!;
      for (const p of decl.properties) names.add(p.name);
    }
    const xsdDir = join(
      SHARED,
      'schemas',
      'OpenXT__manager',
      'schemas.dmtf.org',
      'wbem',
      'wscim',
      '1',
      'cim-schema',
      '2',
    );
    const xsd = readdirSync(xsdDir).find((f) => f === `${lineage[cls].at(-1)}.xsd`)!;
    for (const m of readFileSync(join(xsdDir, xsd), 'utf8').matchAll(/<xs:element name="(\w+)"/g))
      names.add(m[1]!);
    return names;
  }

  it('claims native exactly the DMTF properties the CIM 2.x schema defines for each class', () => {
    for (const cls of ['VSSD', 'RASD', 'SASD', 'EPASD'] as const) {
      const ref = reference(cls);
      for (const p of propertiesOf(cls).filter((x) => x.origin === 'dmtf')) {
        expect(ref.has(p.name), `${cls}.${p.name}: ovf2 ${JSON.stringify(p.carriage.ovf2)}`).toBe(
          p.carriage.ovf2 === 'native',
        );
      }
    }
  });

  it('carries every native property of the VSSD, Item, StorageItem and EthernetPortItem, read back as written', () => {
    const vssd = samples(natives('VSSD', 'ovf2'));
    const items = (['RASD', 'SASD', 'EPASD'] as const).map((cls) => ({
      element: ELEMENT[cls],
      properties: { ...samples(natives(cls, 'ovf2')), InstanceID: `${cls}-1` },
    }));
    const def = reread(write('ovf2-native', envelope('2', vssd, items)));
    expectCarried(def.system, vssd, 'VSSD');
    expect(def.resources.map((r) => r.cimClass)).toEqual([
      'CIM_ResourceAllocationSettingData',
      'CIM_StorageAllocationSettingData',
      'CIM_EthernetPortAllocationSettingData',
    ]);
    for (const [i, it] of items.entries())
      expectCarried(def.resources[i]!.properties, it.properties, it.element);
  });
});

describe('OVF extensions, through the one OVF writer and the OVF reader', () => {
  for (const ovfVersion of ['1.0', '2.0'] as const) {
    it(`OVF ${ovfVersion}: Firmware travels as vmw:Config firmware, BootOrder as ${ovfVersion === '1.0' ? 'vessel:BootOrder' : 'a BootDeviceSection'}`, () => {
      for (const firmware of ['efi', 'bios'] as const) {
        const def = buildDefinition({
          name: 'fw',
          cpus: 1,
          memoryBytes: 64n << 20n,
          firmware,
          disks: ['/images/a.qcow2'],
          cdroms: ['/images/b.iso'],
          nics: [{ network: 'lan' }],
        });
        const disk = def.resources.find((r) => r.properties.ResourceType === '17')!;
        const cd = def.resources.find((r) => r.properties.ResourceType === '15')!;
        const nic = def.resources.find((r) => r.properties.ResourceType === '10')!;
        const order = [nic, cd, disk].map((r) => r.properties.InstanceID!);
        def.system.BootOrder = order;
        const { env, notes } = buildExportDescriptor(
          { definition: def, disks: [], media: [], emptied: [] },
          { ovfVersion, target: 'generic' },
        );
        const file = write(`export-${ovfVersion}-${firmware}`, env);
        const xml = readFileSync(file, 'utf8');
        if (ovfVersion === '1.0') expect(xmllintOvf1([file]).get(file), file).toBe(true);
        expect(xml).toContain(`vmw:key="firmware" vmw:value="${firmware}"`);
        if (ovfVersion === '1.0') expect(xml).toMatch(/<vessel:BootOrder ovf:required="false">/);
        else expect(xml).toMatch(/<ovf:BootDeviceSection ovf:required="false">/);
        expect(notes.some((n) => n.includes('BootOrder'))).toBe(false);
        const back = definitionFromOvf(parseOvf(xml)).definition;
        expect(back.system.Firmware).toBe(firmware);
        expect(back.system.BootOrder).toEqual(order);
        const pkg = readOvfPackage(parseOvf(xml), { target: 'test' }, new Warnings());
        expect(pkg.definition.system.BootOrder).toEqual(order);
      }
    });
  }

  it('reads a BootDeviceSection source by its structured boot string when its InstanceID names no item', () => {
    const def = buildDefinition({ name: 'b', cpus: 1, memoryBytes: 64n << 20n, disks: ['/a', '/b'] });
    const second = def.resources.filter((r) => r.properties.ResourceType === '17')[1]!;
    def.system.BootOrder = [second.properties.InstanceID!];
    const { env } = buildExportDescriptor(
      { definition: def, disks: [], media: [], emptied: [] },
      { ovfVersion: '2.0', target: 'generic' },
    );
    const xml = formatOvf(env).replace(
      `<boots:InstanceID>${second.properties.InstanceID}</boots:InstanceID>`,
      '<boots:InstanceID>elsewhere:7</boots:InstanceID>',
    );
    expect(xml).toContain('<boots:StructuredBootString>CIM:Hard-Disk:2</boots:StructuredBootString>');
    expect(definitionFromOvf(parseOvf(xml)).definition.system.BootOrder).toEqual([
      second.properties.InstanceID,
    ]);
  });
});
