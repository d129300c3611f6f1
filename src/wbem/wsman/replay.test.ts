import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../cimxml/index.js';

/**
 * The recorded requests of real WS-Man clients (../shared/cim/captures: wsl 0.2.1 with and without uuidgen,
 * python3-winrm 0.3.0), replayed byte for byte against a live host. The captures were made against a capture
 * server whose system was `CIM_ComputerSystem.CreationClassName="CIM_ComputerSystem",Name="vm1"`: a Vessel host
 * names it Vessel_ComputerSystem, so the verbatim Get and invoke are answered NOT_FOUND, and the same bytes with
 * that one value changed (labelled "adapted") succeed.
 */
const CAPTURES = '/work/shared/cim/captures';
const AUTH = `Basic ${Buffer.from('admin:secret').toString('base64')}`;

function body(file: string): string {
  const raw = readFileSync(`${CAPTURES}/${file}`, 'latin1');
  return raw.slice(raw.indexOf('\r\n\r\n') + 4);
}

const adapted = (b: string) =>
  b.replace(
    'Name="CreationClassName">CIM_ComputerSystem<',
    'Name="CreationClassName">Vessel_ComputerSystem<',
  );

let h: TestHost;
beforeAll(async () => {
  h = await startTestHost({ vms: 2, wsman: true });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

async function post(xml: string): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(h.wsmanUrl!, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/soap+xml;charset=utf-8' },
    body: xml,
  });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

describe('replayed wsl requests (captures/wsman-wsl, verbatim)', () => {
  it('Identify without an Action answers vendor, version and the Basic security profiles', async () => {
    const r = await post(body('wsman-wsl/008-5985-wsman-Identify.http'));
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/soap+xml;charset=UTF-8');
    expect(r.text).toContain('<wsmid:ProductVendor>Vessel</wsmid:ProductVendor>');
    expect(r.text).toContain(
      '<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>',
    );
    expect(r.text).toContain('secprofile/https/basic');
  });

  it('Enumerate with OptimizeEnumeration and MaxElements 512 answers every system in one response', async () => {
    const r = await post(body('wsman-wsl/009-5985-wsman-Enumerate.http'));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<wsman:EndOfSequence/>');
    expect(r.text).not.toContain('<wsen:EnumerationContext>');
    expect(r.text.match(/<p:Vessel_ComputerSystem /g)).toHaveLength(2);
    // RelatesTo echoes the bare UUID wsl sends as its MessageID.
    expect(r.text).toContain('<wsa:RelatesTo>f61d047a-8088-4645-ae25-4f23b14f1f74</wsa:RelatesTo>');
  });

  it('Enumerate EnumerateEPR answers endpoint references with the namespace selector', async () => {
    const r = await post(body('wsman-wsl/012-5985-wsman-Enumerate.http'));
    expect(r.status).toBe(200);
    expect(r.text).toContain(
      '<wsman:Selector Name="CreationClassName">Vessel_ComputerSystem</wsman:Selector><wsman:Selector Name="Name">vm1</wsman:Selector>',
    );
    expect(r.text).toContain('<wsman:Selector Name="__cimnamespace">root/virtualization</wsman:Selector>');
  });

  it('Get of the capture server`s CIM_ComputerSystem is a DestinationUnreachable fault carrying CIM_ERR_NOT_FOUND', async () => {
    const r = await post(body('wsman-wsl/011-5985-wsman-Get.http'));
    expect(r.status).toBe(400);
    expect(r.text).toContain('<s:Value>wsa:DestinationUnreachable</s:Value>');
    expect(r.text).toContain('<p:CIMStatusCode>6</p:CIMStatusCode>');
  });

  it('Get (adapted: CreationClassName Vessel_ComputerSystem) answers the instance', async () => {
    const r = await post(adapted(body('wsman-wsl/011-5985-wsman-Get.http')));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<p:Name>vm1</p:Name>');
    expect(r.text).toContain('transfer/GetResponse</wsa:Action>');
  });

  it('RequestStateChange (adapted) starts the system and answers ReturnValue 0', async () => {
    const r = await post(adapted(body('wsman-wsl/014-5985-wsman-RequestStateChange.http')));
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/<p:RequestStateChange_OUTPUT [^>]*><p:ReturnValue>(0|4096)<\/p:ReturnValue>/);
    const vm = (await h.api.systems.list()).find((s) => s.name === 'vm1');
    expect(vm?.state).toBe('running');
  });
});

describe('replayed wsl requests without uuidgen (empty MessageID, captures/wsman-wsl-no-uuidgen)', () => {
  it('Enumerate with an empty mustUnderstand MessageID is answered, RelatesTo empty', async () => {
    const r = await post(body('wsman-wsl-no-uuidgen/002-5985-wsman-Enumerate.http'));
    expect(r.status).toBe(200);
    expect(r.text).toContain('<wsa:RelatesTo></wsa:RelatesTo>');
    expect(r.text).toContain('<p:Name>vm2</p:Name>');
  });
});

describe('replayed pywinrm requests (captures/wsman-pywinrm: unprefixed mustUnderstand, a:To of another host)', () => {
  it('Enumerate without optimisation answers a context that Pull empties', async () => {
    const r = await post(body('wsman-pywinrm/017-5985-wsman-Enumerate.http'));
    expect(r.status).toBe(200);
    const ctx = /<wsen:EnumerationContext>([^<]+)</.exec(r.text)?.[1];
    expect(ctx).toBeDefined();
    expect(r.text).not.toContain('<wsman:Items>');
  });

  it('Get (verbatim) faults NOT_FOUND; adapted, it answers the instance', async () => {
    const v = await post(body('wsman-pywinrm/018-5985-wsman-Get.http'));
    expect(v.status).toBe(400);
    const a = await post(adapted(body('wsman-pywinrm/018-5985-wsman-Get.http')));
    expect(a.status).toBe(200);
    expect(a.text).toContain('<wsa:RelatesTo>uuid:9b855cf4-e921-4955-b28d-bcd50cab4b22</wsa:RelatesTo>');
  });

  it('the shell requests of pywinrm are refused as an unsupported action (no WinRM shell here)', async () => {
    const r = await post(body('wsman-pywinrm/015-5985-wsman-Create.http'));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/wsa:ActionNotSupported|wsa:DestinationUnreachable/);
  });
});
