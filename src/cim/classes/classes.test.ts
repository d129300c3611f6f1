import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { CIM_CLASS, PROPERTIES, propertiesOf, type SettingClass } from '../../model/index.js';
import { parseMof } from '../mof/parse.js';
import {
  type CimClassDecl,
  type CimParameterDecl,
  type CimPropertyDecl,
  type CimQualifier,
  hasQualifier,
  qualifierValue,
} from '../types.js';
import { CLASS_MOF, createClassRepository, INTEROP_NAMESPACE, VIRT_NAMESPACE } from './index.js';

const DMTF_DIR = join(SHARED, 'cim', 'dmtf-schema-2.41');
const dmtf = new Map<string, CimClassDecl>();
for (const f of readdirSync(DMTF_DIR).filter((x) => x.endsWith('.mof')))
  for (const c of parseMof(readFileSync(join(DMTF_DIR, f), 'utf8'), f).classes) dmtf.set(c.name, c);
const ours = CLASS_MOF.flatMap((m) => parseMof(m).classes);
const cimClasses = ours.filter((c) => c.name.startsWith('CIM_'));

/** IN unless IN(false); OUT when OUT is present and true (DSP0004 qualifier defaults). */
function direction(p: CimParameterDecl): string {
  const inq = p.qualifiers.find((q) => q.name.toLowerCase() === 'in');
  const isIn = inq === undefined || inq.value !== 'false';
  return `${isIn ? 'in' : ''}${hasQualifier(p.qualifiers, 'out') ? 'out' : ''}`;
}
function shape(p: CimPropertyDecl | CimParameterDecl): string {
  return `${p.type}${p.isArray ? '[]' : ''}${p.referenceClass ? ` ${p.referenceClass}` : ''}`;
}
function vm(qs: CimQualifier[]): unknown {
  return qualifierValue(qs, 'ValueMap');
}

describe('Vessel class definitions', () => {
  it('match the DMTF CIM 2.41 MOFs class by class: superclass, properties, types, keys, defaults', () => {
    const checked: string[] = [];
    for (const c of cimClasses) {
      const d = dmtf.get(c.name);
      if (!d) continue;
      checked.push(c.name);
      expect(c.superClass, c.name).toBe(d.superClass);
      expect(hasQualifier(c.qualifiers, 'Association'), c.name).toBe(
        hasQualifier(d.qualifiers, 'Association'),
      );
      expect(hasQualifier(c.qualifiers, 'Abstract'), c.name).toBe(hasQualifier(d.qualifiers, 'Abstract'));
      expect(
        c.properties.map((p) => p.name),
        c.name,
      ).toEqual(d.properties.map((p) => p.name));
      for (const p of c.properties) {
        const dp = d.properties.find((x) => x.name === p.name)!;
        const where = `${c.name}.${p.name}`;
        expect(shape(p), where).toBe(shape(dp));
        expect(hasQualifier(p.qualifiers, 'Key'), where).toBe(hasQualifier(dp.qualifiers, 'Key'));
        expect(hasQualifier(p.qualifiers, 'Required'), where).toBe(hasQualifier(dp.qualifiers, 'Required'));
        expect(qualifierValue(p.qualifiers, 'Override'), where).toBe(
          qualifierValue(dp.qualifiers, 'Override'),
        );
        expect(p.defaultValue, where).toEqual(dp.defaultValue);
        if (vm(p.qualifiers) !== undefined) expect(vm(p.qualifiers), where).toEqual(vm(dp.qualifiers));
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(45);
  });

  it('declare every method with the DMTF parameters, directions and embedded-instance classes', () => {
    let methods = 0;
    for (const c of cimClasses) {
      const d = dmtf.get(c.name);
      if (!d) continue;
      expect(
        c.methods.map((m) => m.name),
        c.name,
      ).toEqual(d.methods.map((m) => m.name));
      for (const m of c.methods) {
        methods++;
        const dm = d.methods.find((x) => x.name === m.name)!;
        const where = `${c.name}.${m.name}`;
        expect(m.returnType, where).toBe(dm.returnType);
        if (vm(m.qualifiers) !== undefined) expect(vm(m.qualifiers), where).toEqual(vm(dm.qualifiers));
        expect(
          m.parameters.map(
            (p) =>
              `${p.name}:${shape(p)}:${direction(p)}:${qualifierValue(p.qualifiers, 'EmbeddedInstance') ?? ''}`,
          ),
          where,
        ).toEqual(
          dm.parameters.map(
            (p) =>
              `${p.name}:${shape(p)}:${direction(p)}:${qualifierValue(p.qualifiers, 'EmbeddedInstance') ?? ''}`,
          ),
        );
      }
    }
    expect(methods).toBeGreaterThan(20);
  });

  it('name every superclass that the shared DMTF extract lacks, and only those are unchecked', () => {
    const unchecked = cimClasses.filter((c) => !dmtf.has(c.name)).map((c) => c.name);
    expect(unchecked.sort()).toEqual([
      'CIM_AlertIndication',
      'CIM_BaseMetricDefinition',
      'CIM_BaseMetricValue',
      'CIM_ElementSoftwareIdentity',
      'CIM_IndicationFilter',
      'CIM_IndicationService',
      'CIM_IndicationSubscription',
      'CIM_InstalledSoftwareIdentity',
      'CIM_ListenerDestination',
      'CIM_ListenerDestinationCIMXML',
      'CIM_LogicalPort',
      'CIM_MetricDefForME',
      'CIM_MetricForME',
      'CIM_MetricInstance',
      'CIM_NamespaceInManager',
      'CIM_ProcessIndication',
      'CIM_ReferencedSpecification',
      'CIM_SoftwareIdentity',
      'CIM_StorageExtent',
      'CIM_SystemComponent',
      'CIM_WBEMService',
    ]);
  });

  it('make every Vessel_ class a direct subclass of the DMTF class of the same name', () => {
    // Two have no DMTF class of their name: the host is a ComputerSystem, and the console service carries what no
    // DMTF class does (DSP1024 only advertises a redirection endpoint).
    const own: Record<string, string> = {
      Vessel_HostSystem: 'CIM_ComputerSystem',
      Vessel_TextConsoleService: 'CIM_Service',
    };
    for (const c of ours.filter((x) => x.name.startsWith('Vessel_'))) {
      const dmtfName = own[c.name] ?? c.name.replace('Vessel_', 'CIM_');
      expect(c.superClass).toBe(dmtfName);
    }
  });

  it('serve polymorphically: CIM_ComputerSystem has the host and virtual system classes below it', () => {
    const virt = createClassRepository().namespace(VIRT_NAMESPACE);
    expect(virt.descendants('CIM_ComputerSystem').map((c) => c.name)).toEqual([
      'CIM_ComputerSystem',
      'Vessel_HostSystem',
      'Vessel_ComputerSystem',
    ]);
    const cs = virt.require('Vessel_ComputerSystem');
    expect(cs.keys.map((k) => k.name)).toEqual(['CreationClassName', 'Name']);
    const rsc = cs.methodIndex.get('requeststatechange')!;
    expect(rsc.propagated).toBe(true);
    expect(rsc.classOrigin).toBe('CIM_EnabledLogicalElement');
    expect(cs.propertyIndex.get('name')!.classOrigin).toBe('CIM_System');
  });

  it('keep root/interop to profile registration', () => {
    const repo = createClassRepository();
    const interop = repo.namespace(INTEROP_NAMESPACE);
    expect(interop.get('Vessel_ComputerSystem')).toBeUndefined();
    expect(interop.require('Vessel_ElementConformsToProfile').isAssociation).toBe(true);
    expect(() => repo.namespace('root/cimv2')).toThrow(/does not exist/);
  });

  it('declare every property of the Vessel_ settings classes in the schema, and every CIM-carried schema property', () => {
    const virt = createClassRepository().namespace(VIRT_NAMESPACE);
    const settings: Record<string, SettingClass> = {
      Vessel_VirtualSystemSettingData: 'VSSD',
      Vessel_ResourceAllocationSettingData: 'RASD',
      Vessel_StorageAllocationSettingData: 'SASD',
      Vessel_EthernetPortAllocationSettingData: 'EPASD',
    };
    for (const [className, cls] of Object.entries(settings)) {
      const c = virt.require(className);
      const schema = propertiesOf(cls);
      for (const p of c.properties) {
        const s = schema.find((x) => x.name === p.name);
        expect(s, `${className}.${p.name} is not in the model's property schema`).toBeDefined();
        expect(`${p.type}${p.isArray ? '[]' : ''}`, `${className}.${p.name}`).toBe(
          `${s!.type}${s!.array ? '[]' : ''}`,
        );
      }
      const carried = schema.filter((x) => x.carriage.cim === 'native').map((x) => x.name);
      expect(
        carried.filter((n) => !c.propertyIndex.has(n.toLowerCase())),
        `${className} lacks schema properties`,
      ).toEqual([]);
      const notCarried = schema.filter((x) => x.carriage.cim !== 'native').map((x) => x.name);
      expect(notCarried.filter((n) => c.propertyIndex.has(n.toLowerCase()))).toEqual([]);
    }
    expect(virt.require('Vessel_VirtualSystemSettingData').local.properties.map((p) => p.name)).toEqual([
      'Firmware',
      'BootOrder',
      'DiskMode',
      'Metadata',
      'MetadataTag',
    ]);
  });

  it("declare no Vessel_ property of their own beyond the schema's Vessel extensions and the host's state words", () => {
    const own = ours
      .filter((c) => c.name.startsWith('Vessel_'))
      .flatMap((c) => c.properties.map((p) => `${c.name}.${p.name}`));
    const schema = PROPERTIES.filter((p) => p.origin === 'vessel' && p.carriage.cim === 'native').map(
      (p) => `${CIM_CLASS[p.class].replace(/^CIM_/, 'Vessel_')}.${p.name}`,
    );
    // Not settings, so not in the model's schema: what the Api's host.info and a system's reason say.
    const host = [
      'Vessel_HostSystem.VesselVersion',
      'Vessel_ComputerSystem.StateReason',
      'Vessel_SoftwareIdentity.ImageDigest',
    ];
    // DSP1054 leaves TLS trust to the implementation: a destination's own settings (src/cim/indications).
    host.push(
      'Vessel_ListenerDestinationCIMXML.VerifyCertificate',
      'Vessel_ListenerDestinationCIMXML.TrustedCertificate',
    );
    // The console service's bounds, which a CIM caller is held to (src/cim/console-sessions.ts).
    host.push(
      ...[
        'MaxSessionsPerUser',
        'MaxSessions',
        'IdleTimeout',
        'MaxDataBytes',
        'MaxBufferedBytes',
        'MaxReceiveWait',
      ].map((p) => `Vessel_TextConsoleService.${p}`),
    );
    // What a completed DestroySystemKeepingDisks job kept (its OUT parameters, for a job that outlived the call).
    host.push(
      ...['KeptInstanceIDs', 'KeptPools', 'KeptImages', 'KeptHow'].map((p) => `Vessel_ConcreteJob.${p}`),
    );
    expect(own.sort()).toEqual([...schema, ...host].sort());
  });
});
