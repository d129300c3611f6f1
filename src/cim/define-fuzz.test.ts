import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../api/index.js';
import { VIRT_NAMESPACE } from './classes/index.js';
import { CimError } from './errors.js';
import { newContext } from './provider.js';
import { type CimSubject, openCimSubject } from './subject.case.test.js';
import type { CimInstance, CimInstanceName } from './types.js';

// What a CIM client (CIM-XML or WS-Man) gives DefineSystem, AddResourceSettings and ModifyResourceSettings is
// embedded instances of any class, properties of any name, one value or a list: the answer is a result, a job, or
// a CIM error the request caused, never a bug's (an error thrown by neither the providers nor the Api).

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
let s: CimSubject;
let vsms: CimInstanceName;
let image: string;
beforeAll(async () => {
  s = await openCimSubject();
  vsms = (await s.cim.om.enumerateInstanceNames(admin(), NS, 'CIM_VirtualSystemManagementService'))[0]!;
  image = await s.image('fuzz.qcow2');
});
afterAll(async () => {
  await s?.close();
});

const CLASSES = [
  'CIM_ResourceAllocationSettingData',
  'CIM_StorageAllocationSettingData',
  'CIM_EthernetPortAllocationSettingData',
  'Vessel_ResourceAllocationSettingData',
  'Msvm_ResourceAllocationSettingData',
  'CIM_Processor',
];
const NAMES = [
  'ResourceType',
  'ResourceSubType',
  'VirtualQuantity',
  'VirtualQuantityUnits',
  'AllocationUnits',
  'Parent',
  'AddressOnParent',
  'Address',
  'HostResource',
  'Connection',
  'InstanceID',
  'PoolID',
  'ElementName',
  'Limit',
  'Reservation',
  'AutomaticAllocation',
  'Acme_Extra',
];
const SYSTEM_NAMES = ['ElementName', 'Firmware', 'BootOrder', 'DiskMode', 'VirtualSystemType', 'InstanceID'];

/** Edge values, with InstanceIDs in the host's form and the paths of an image of its pool. */
const nasty = (path: string) =>
  fc.oneof(
    fc.constantFrom(
      '',
      '0',
      '1',
      '3',
      '4',
      '5',
      '6',
      '10',
      '15',
      '17',
      '31',
      '33',
      '-1',
      '65536',
      '18446744073709551616',
      'virtio',
      'lsilogic',
      'e1000',
      'byte*2^20',
      'byte*2^99',
      'count',
      'user',
      'efi',
      'direct',
      'Vessel:x/1',
      'Vessel:fz/1',
      'Vessel:',
      path,
      `file://${path}`,
      '/etc/passwd',
      '../x',
      '\u0000',
    ),
    fc.string({ maxLength: 6 }),
  );

function base(path: string): CimInstance[] {
  return [
    {
      className: 'CIM_ResourceAllocationSettingData',
      properties: { ResourceType: '3', VirtualQuantity: '1' },
    },
    {
      className: 'CIM_ResourceAllocationSettingData',
      properties: { ResourceType: '4', VirtualQuantity: '64', AllocationUnits: 'byte*2^20' },
    },
    {
      className: 'CIM_ResourceAllocationSettingData',
      properties: { InstanceID: 'c', ResourceType: '5', ResourceSubType: 'PIIX4' },
    },
    {
      className: 'CIM_StorageAllocationSettingData',
      properties: { ResourceType: '17', Parent: 'c', AddressOnParent: '0', HostResource: [path] },
    },
    {
      className: 'CIM_EthernetPortAllocationSettingData',
      properties: { ResourceType: '10', ResourceSubType: 'virtio', Connection: ['user'] },
    },
  ];
}

/** Fails on an error no request should cause: not a CimError, or one whose cause is neither CIM's nor the Api's. */
function requestCaused(e: unknown): void {
  if (!(e instanceof CimError)) throw e;
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined && !(cause instanceof ApiError) && !(cause instanceof CimError)) throw e;
  if (cause instanceof ApiError && cause.code === 'INTERNAL') throw e;
}

let count = 0;

describe('DefineSystem and AddResourceSettings on random embedded instances (property-based)', () => {
  it('answers a result, a job or the CIM error the request caused, never a bug', async () => {
    const edit = fc.record({
      at: fc.nat(),
      cls: fc.option(fc.constantFrom(...CLASSES), { freq: 4 }),
      name: fc.constantFrom(...NAMES),
      system: fc.constantFrom(...SYSTEM_NAMES),
      value: fc.option(fc.oneof(nasty(image), fc.array(nasty(image), { maxLength: 3 })), { freq: 6 }),
      repeat: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 5 }), async (edits) => {
        const resources = base(image);
        const system: CimInstance['properties'] = { ElementName: `fz${count++}` };
        for (const e of edits) {
          const at = e.at % (resources.length + 1);
          if (at === resources.length) {
            if (e.value === null) delete system[e.system];
            else system[e.system] = e.value;
            continue;
          }
          const r = resources[at]!;
          if (e.cls !== null) r.className = e.cls;
          if (e.value === null) delete r.properties[e.name];
          else r.properties[e.name] = e.value;
          if (e.repeat) resources.push(structuredClone(r));
        }
        try {
          const r = await s.cim.om.invokeMethod(admin(), NS, vsms, 'DefineSystem', {
            SystemSettings: { className: 'CIM_VirtualSystemSettingData', properties: system },
            ResourceSettings: resources,
          });
          const made = r.out.ResultingSystem as CimInstanceName | undefined;
          if (r.returnValue === 0 && made !== undefined) {
            const [vssd] = await s.cim.om.associatorNames(admin(), NS, made, {
              assocClass: 'CIM_SettingsDefineState',
              resultClass: 'CIM_VirtualSystemSettingData',
            });
            await s.cim.om
              .invokeMethod(admin(), NS, vsms, 'AddResourceSettings', {
                AffectedConfiguration: vssd,
                ResourceSettings: resources.slice(2),
              })
              .catch(requestCaused);
          }
        } catch (e) {
          requestCaused(e);
        }
        // A method's failed job says why; a bug's would be INTERNAL.
        const failed = await s.api.jobs.list({ states: ['failed'], limit: 4 });
        expect(failed.filter((j) => j.error?.code === 'INTERNAL').map((j) => j.error?.message)).toEqual([]);
      }),
      { numRuns: 150, seed: 1205 },
    );
    // Some random requests were good enough to define a system.
    expect((await s.api.systems.list()).length).toBeGreaterThan(0);
  });
});
