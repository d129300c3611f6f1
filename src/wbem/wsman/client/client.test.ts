import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CimError, type CimInstanceName, isInstanceName } from '../../../cim/index.js';
import type { CimXmlError } from '../../cimxml/errors.js';
import { startTestHost, type TestHost } from '../../cimxml/index.js';
import { WsmanFault } from '../errors.js';
import { WsmanClient } from './client.js';
import { WsmanCimOperations } from './operations.js';

// The client against a live Vessel host serving WS-Man (test:///default behind the CIM providers), over HTTP and
// HTTPS with the host's generated certificate.

let h: TestHost;
let c: WsmanClient;
const NS = 'root/virtualization';
const vmName = (uuid: string): CimInstanceName => ({
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: uuid },
  namespace: NS,
});

beforeAll(async () => {
  h = await startTestHost({ vms: 3, wsman: true, https: true });
  c = new WsmanClient(h.wsmanUrl!, { user: 'admin', password: 'secret', timeoutMs: 20_000 });
}, 60_000);
afterAll(async () => {
  c?.close();
  await h?.close();
});

describe('WsmanClient against vessel host serve --wsman-http', () => {
  it('Identify answers the vendor, the protocol and the Basic security profiles', async () => {
    const id = await c.identify();
    expect(id.productVendor).toBe('Vessel');
    expect(id.protocolVersion).toBe('http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');
    expect(id.securityProfiles.some((p) => p.endsWith('/http/basic'))).toBe(true);
  });

  it('Enumerate+Pull with EnumerateObjectAndEPR, two items a time: every system with its path', async () => {
    const items = await c.enumerateAll('Vessel_ComputerSystem', { mode: 'objectAndEpr', maxElements: 2 });
    const names = items.map((i) => String(i.instance?.properties.ElementName)).sort();
    expect(names).toEqual(['vm1', 'vm2', 'vm3']);
    for (const i of items) expect(i.instance?.path?.keys.CreationClassName).toBe('Vessel_ComputerSystem');
    expect(items[0]!.instance!.path!.namespace).toBe(NS);
  });

  it('EnumerateEPR answers names only; a WQL filter selects', async () => {
    const eprs = await c.enumerateAll('Vessel_ComputerSystem', { mode: 'epr' });
    expect(eprs).toHaveLength(3);
    expect(eprs.every((i) => i.instance === undefined && i.name !== undefined)).toBe(true);
    const wql = await c.enumerateAll(undefined, {
      mode: 'object',
      filter: { wql: "SELECT * FROM Vessel_ComputerSystem WHERE ElementName = 'vm2'" },
    });
    expect(wql.map((i) => i.instance?.properties.ElementName)).toEqual(['vm2']);
  });

  it('Get answers the instance, with the name it was asked by as its path', async () => {
    const inst = await c.getInstance(vmName('vm1'));
    expect(inst.properties.ElementName).toBe('vm1');
    expect(inst.path?.keys.Name).toBe('vm1');
  });

  it('the association filter: the settings of a system (AssociatedInstances with classes and roles)', async () => {
    const items = await c.enumerateAll(undefined, {
      filter: {
        association: {
          kind: 'associated',
          object: vmName('vm1'),
          associationClass: 'CIM_SettingsDefineState',
          resultClass: 'CIM_VirtualSystemSettingData',
        },
      },
    });
    expect(items).toHaveLength(1);
    expect(items[0]!.instance?.properties.ElementName).toBe('vm1');
    const refs = await c.enumerateAll(undefined, {
      mode: 'epr',
      filter: {
        association: {
          kind: 'associations',
          object: vmName('vm1'),
          associationClass: 'CIM_SettingsDefineState',
        },
      },
    });
    expect(refs).toHaveLength(1);
    expect(refs[0]!.name?.className).toMatch(/SettingsDefineState$/);
  });

  it('Invoke RequestStateChange starts vm2; the Job, if any, comes back as a reference', async () => {
    const r = await c.invoke(vmName('vm2'), 'RequestStateChange', {
      RequestedState: { type: 'uint16', value: '2' },
    });
    expect([0, 4096]).toContain(r.returnValue);
    if (r.returnValue === 4096) expect(isInstanceName(r.out.Job)).toBe(true);
    await expect.poll(() => h.host.get('vm2').state, { timeout: 10_000 }).toBe('running');
  });

  it('Put changes only what it carries and answers the instance', async () => {
    const ops = new WsmanCimOperations(c);
    const rasds = await ops.enumerateInstances('CIM_ResourceAllocationSettingData');
    const cpu = rasds.find(
      (r) => r.properties.ResourceType === '3' && String(r.properties.InstanceID).includes('vm1'),
    )!;
    const out = await c.putInstance(cpu.path!, {
      className: cpu.className,
      properties: { VirtualQuantity: '2' },
    });
    expect(out.properties.VirtualQuantity).toBe('2');
    expect(
      h.host.get('vm1').definition.resources.find((x) => x.properties.ResourceType === '3')?.properties
        .VirtualQuantity,
    ).toBe('2');
  });

  it('a class comes back with what it inherits; WsmanCimOperations keeps a one-element array an array', async () => {
    const cls = await c.getClass('Vessel_ComputerSystem');
    expect(cls.name).toBe('Vessel_ComputerSystem');
    expect(cls.properties.find((p) => p.name === 'RequestedState')?.type).toBe('uint16');
    const missing = await c.getClass('Vessel_Nothing').catch((x: unknown) => x);
    expect((missing as WsmanFault).code).toBe('WSMAN_DESTINATION_UNREACHABLE');
    const ops = new WsmanCimOperations(c);
    const vm = await ops.getInstance(vmName('vm3'));
    expect(Array.isArray(vm.properties.OperationalStatus)).toBe(true);
  });

  it('a missing instance is a DestinationUnreachable fault carrying CIM_ERR_NOT_FOUND, which the operations throw', async () => {
    const missing = vmName('00000000-0000-0000-0000-000000000000');
    const e = await c.getInstance(missing).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WsmanFault);
    expect((e as WsmanFault).code).toBe('WSMAN_DESTINATION_UNREACHABLE');
    expect((e as WsmanFault).cim?.code).toBe('CIM_ERR_NOT_FOUND');
    const viaOps = await new WsmanCimOperations(c).getInstance(missing).catch((x: unknown) => x);
    expect(viaOps).toBeInstanceOf(CimError);
    expect((viaOps as CimError).code).toBe('CIM_ERR_NOT_FOUND');
  });

  it('a wrong password is CIMXML_UNAUTHORIZED (HTTP 401)', async () => {
    const bad = new WsmanClient(h.wsmanUrl!, { user: 'admin', password: 'wrong' });
    const e = await bad.identify().catch((x: unknown) => x);
    bad.close();
    expect((e as CimXmlError).code).toBe('CIMXML_UNAUTHORIZED');
  });

  it('HTTPS with the host certificate as CA works; without it the certificate is not trusted', async () => {
    const ca = await readFile(join(h.stateDir, 'cim-cert.pem'));
    const tls = new WsmanClient(h.wsmanHttpsUrl!, { user: 'admin', password: 'secret', ca });
    expect((await tls.identify()).productVendor).toBe('Vessel');
    tls.close();
    const plain = new WsmanClient(h.wsmanHttpsUrl!, { user: 'admin', password: 'secret' });
    const e = await plain.identify().catch((x: unknown) => x);
    plain.close();
    expect((e as CimXmlError).code).toBe('CIMXML_HTTP');
    expect((e as Error).message).toMatch(/not trusted/);
    const insecure = new WsmanClient(h.wsmanHttpsUrl!, { user: 'admin', password: 'secret', insecure: true });
    expect((await insecure.identify()).productVendor).toBe('Vessel');
    insecure.close();
  });
});
