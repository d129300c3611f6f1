import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../../test/helpers/corpus.js';
import { formatOvf } from '../format.js';
import { hardwareFor, ovfInfo } from '../info.js';
import { parseOvf } from '../parse.js';
import { findSection, findSections, hardwareOf, virtualSystems } from '../select.js';
import type { OvfEnvelope } from '../types.js';
import { validateOvf } from '../validate/validate.js';
import { targetSystem } from './core.js';
import { editNics, normalizeMac } from './nics.js';
import { checkSerialConnection, setSerialConnectivity, setSerialCount } from './serial.js';
import { keepOnlyConfiguration, setVirtualSystemType } from './system.js';

const INPUT = join(CORPUS, 'glennmatthews__cot__COT__tests__input.ovf');
const load = (f = INPUT) => parseOvf(readFileSync(f));
const errors = (env: OvfEnvelope) =>
  validateOvf(parseOvf(formatOvf(env))).filter((d) => d.severity === 'error');
const hw = (env: OvfEnvelope, c: string) => hardwareFor(ovfInfo(env).systems[0]!, c || undefined)!;

describe('editNics() (COT --nic-types, --nic-names, --mac-addresses-list)', () => {
  it('sets the model and a counted name of every NIC in every option', () => {
    const env = load();
    const sys = targetSystem(env);
    editNics(env, sys, { what: 'model', values: ['e1000'] });
    editNics(env, sys, { what: 'name', values: ['Gi0/{1}'] });
    expect(hw(env, '4CPU-4GB-3NIC').nics.map((n) => [n.name, n.model, n.subtype])).toEqual([
      ['Gi0/1', 'e1000', 'E1000'],
      ['Gi0/2', 'e1000', 'E1000'],
      ['Gi0/3', 'e1000', 'E1000'],
    ]);
    expect(errors(env)).toEqual([]);
  });

  it('for one option, writes an override and leaves the other options as they were', () => {
    const env = load();
    editNics(env, targetSystem(env), { what: 'name', values: ['mgmt'] }, '1CPU-1GB-1NIC');
    expect(hw(env, '1CPU-1GB-1NIC').nics.map((n) => n.name)).toEqual(['mgmt']);
    expect(hw(env, '2CPU-2GB-1NIC').nics.map((n) => n.name)).toEqual(['GigabitEthernet1']);
    expect(errors(env)).toEqual([]);
  });

  it('sets MACs in order, normalised, and refuses bad, group, shared or too many MACs', () => {
    const env = load();
    const sys = targetSystem(env);
    editNics(env, sys, { what: 'mac', values: ['00-50-56-AA-00-01', '00:50:56:aa:00:02'] });
    const items = hardwareOf(sys)!.items.filter((i) => i.resource.properties.ResourceType === '10');
    expect(items.map((i) => i.resource.properties.Address)).toEqual([
      '00:50:56:aa:00:01',
      '00:50:56:aa:00:02',
      undefined,
    ]);
    expect(hw(env, '4CPU-4GB-3NIC').nics.map((n) => n.mac)).toEqual([
      '00:50:56:aa:00:01',
      '00:50:56:aa:00:02',
      undefined,
    ]);
    expect(() => normalizeMac('01:00:5e:00:00:01')).toThrow(/group/);
    expect(() => normalizeMac('00:50:56:aa:00')).toThrow(/no MAC/);
    expect(() => normalizeMac('00:50-56:aa:00:01')).toThrow(/no MAC/);
    expect(() =>
      editNics(env, sys, { what: 'mac', values: ['00:50:56:aa:00:01'] }, '4CPU-4GB-3NIC'),
    ).not.toThrow();
    expect(() =>
      editNics(env, sys, { what: 'mac', values: ['00:50:56:aa:00:09', '00:50:56:aa:00:09'] }),
    ).toThrow(/both have the MAC/);
    expect(() =>
      editNics(
        env,
        sys,
        { what: 'mac', values: ['00:50:56:aa:00:05', '00:50:56:aa:00:06'] },
        '1CPU-1GB-1NIC',
      ),
    ).toThrow(/2 values for mac, but the system has 1 NIC/);
  });
});

describe('serial ports (COT --serial-ports, --serial-connectivity)', () => {
  const serials = (env: OvfEnvelope, c: string) =>
    hw(env, c)
      .other.filter((o) => o.type === 'Serial port')
      .map((o) => o.name);

  it('adds ports copying the last one, and connects them in order (rasd:Address)', () => {
    const env = load();
    const sys = targetSystem(env);
    setSerialCount(env, sys, 3);
    setSerialConnectivity(env, sys, ['telnet://localhost:8101', '', '/var/log/console3.log']);
    expect(serials(env, '1CPU-1GB-1NIC')).toEqual(['Serial 1', 'Serial 2', 'Serial 3']);
    expect(hw(env, '1CPU-1GB-1NIC').other.map((o) => o.connection)).toEqual([
      'telnet://localhost:8101',
      undefined,
      '/var/log/console3.log',
    ]);
    const ports = hardwareOf(sys)!.items.filter((i) => i.resource.properties.ResourceType === '21');
    expect(ports.map((p) => [p.resource.properties.Address, p.required])).toEqual([
      ['telnet://localhost:8101', 'false'],
      [undefined, 'false'],
      ['/var/log/console3.log', 'false'],
    ]);
    expect(errors(env)).toEqual([]);
  });

  it('removes ports for one option only, keeping them for the others', () => {
    const env = load();
    setSerialCount(env, targetSystem(env), 1, '1CPU-1GB-1NIC');
    expect(serials(env, '1CPU-1GB-1NIC')).toEqual(['Serial 1']);
    expect(serials(env, '4CPU-4GB-3NIC')).toEqual(['Serial 1', 'Serial 2']);
    expect(errors(env)).toEqual([]);
  });

  it('refuses bad connections, out-of-range counts and more connections than ports', () => {
    const env = load();
    expect(() => checkSerialConnection('telnet://h:0')).toThrow(/not 1 to 65535/);
    expect(() => checkSerialConnection('ftp://h:1')).toThrow(/no serial connection/);
    expect(() => checkSerialConnection('/var/../etc/x')).toThrow(/no serial connection/);
    expect(checkSerialConnection('tcp://[::1]:9000')).toBe('tcp://[::1]:9000');
    expect(() => setSerialCount(env, targetSystem(env), 33)).toThrow(/0 to 32/);
    expect(() => setSerialConnectivity(env, targetSystem(env), ['/a', '/b', '/c'])).toThrow(
      /3 serial connection/,
    );
  });
});

describe('setVirtualSystemType() and keepOnlyConfiguration()', () => {
  it('sets a list of known families and refuses unknown ones', () => {
    const env = load();
    const sys = targetSystem(env);
    setVirtualSystemType(sys, 'vmx-07 vmx-14 qemu');
    expect(hardwareOf(sys)!.system!.properties.VirtualSystemType).toBe('vmx-07 vmx-14 qemu');
    expect(() => setVirtualSystemType(sys, 'vmx-99')).toThrow(/no hardware family/);
    expect(() => setVirtualSystemType(sys, 'qemu qemu')).toThrow(/twice/);
    expect(errors(env)).toEqual([]);
  });

  it('keeps one option with its overrides folded in and drops the section', () => {
    const env = load();
    expect(keepOnlyConfiguration(env, '2CPU-2GB-1NIC')).toBe('2CPU-2GB-1NIC');
    expect(findSection(env.sections, 'DeploymentOptionSection')).toBeUndefined();
    const h = hw(env, '');
    expect([h.cpus, h.memoryBytes! / 2 ** 30, h.nics.length]).toEqual([2, 2, 1]);
    expect(hardwareOf(virtualSystems(env)[0]!)!.items.every((i) => i.configuration === undefined)).toBe(true);
    expect(errors(env)).toEqual([]);
  });

  it('drops the disks and files only the other options used, and an empty DeploymentOptionSection', () => {
    const env = load(join(CORPUS, 'vmware__govmomi__ovf__fixtures__multiple_disks.ovf'));
    const before = validateOvf(env).filter((d) => d.severity === 'error').length;
    keepOnlyConfiguration(env, 'large');
    const disks = findSection(env.sections, 'DiskSection')!.disks.map((d) => d.diskId);
    expect(disks.some((d) => d.endsWith('_small'))).toBe(false);
    expect(disks.length).toBeGreaterThan(0);
    expect(errors(env).length).toBeLessThanOrEqual(before);
    const empty = load(join(CORPUS, 'vmware__govmomi__ovf__fixtures__disk-capacity-property.ovf'));
    expect(keepOnlyConfiguration(empty)).toBeUndefined();
    expect(findSection(empty.sections, 'DeploymentOptionSection')).toBeUndefined();
  });

  it('keeps the option named, and its property values become the defaults', () => {
    const f = join(
      CORPUS,
      'vmware__govmomi__ovf__fixtures__external__OVFToolTemplates__OVF__xmltestfiles__VirtualAppliances__Pos__nvapp00n.ovf',
    );
    const env = load(f);
    const before = validateOvf(env).filter((d) => d.severity === 'error').length;
    const kept = keepOnlyConfiguration(load(f), 'large');
    expect(kept).toBe('large');
    keepOnlyConfiguration(env, 'large');
    const props = findSections(env.content!.sections, 'ProductSection').flatMap((p) => p.entries);
    expect(props.every((e) => e.entry !== 'Property' || e.values.length === 0)).toBe(true);
    const sessions = props.find((e) => e.entry === 'Property' && e.key === 'concurrentSessions');
    expect(sessions).toMatchObject({ value: '1000' });
    expect(errors(env).length).toBeLessThanOrEqual(before);
    expect(() =>
      keepOnlyConfiguration(load(join(CORPUS, 'glennmatthews__cot__COT__tests__minimal.ovf'))),
    ).toThrow(/no deployment options/);
  });
});
