import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../cimxml/index.js';

// A real external client: Debian's wsl 0.2.1 ("whistle", curl + xmllint), driven as an administrator's script
// drives it, against a live Vessel host on the test driver (127.0.0.1 only).

const run = promisify(execFile);
let h: TestHost;
let work: string;
/** A PATH with everything of /usr/bin but uuidgen: wsl then sends an empty MessageID. */
let noUuidgen: string;

beforeAll(async () => {
  h = await startTestHost({
    vms: 2,
    wsman: true,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
  work = await mkdtemp(join(tmpdir(), 'vessel-wsl-'));
  noUuidgen = join(work, 'bin');
  await run('mkdir', [noUuidgen]);
  for (const f of await readdir('/usr/bin'))
    if (f !== 'uuidgen') await symlink(join('/usr/bin', f), join(noUuidgen, f));
}, 60_000);
afterAll(async () => {
  await h?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function wsl(
  args: string[],
  o: { user?: string; pass?: string; path?: string } = {},
): Promise<{ code: number; out: string }> {
  const env = {
    PATH: o.path ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: work,
    WSENDPOINT: `127.0.0.1:${new URL(h.wsmanUrl!).port}`,
    WSUSER: o.user ?? 'admin',
    WSPASS: o.pass ?? 'secret',
    WSNOSSL: '1',
    WSDONTASK: 'y',
    KEEPHISTORY: '0',
    WSDEFAULTSCHEMA: 'schemas.dmtf.org',
  };
  try {
    const r = await run('wsl', args, { env, cwd: work, timeout: 30_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

describe('wsl against vessel host serve --wsman-http', () => {
  it('wsl identify check: vendor Vessel', async () => {
    const r = await wsl(['identify', 'check']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<wsmid:ProductVendor>Vessel</wsmid:ProductVendor>');
  });

  it('wsl enum CIM_ComputerSystem -ns root/virtualization lists the host and both systems', async () => {
    const r = await wsl(['enum', 'CIM_ComputerSystem', '-ns', 'root/virtualization']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<p:Name>vm1</p:Name>');
    expect(r.out).toContain('<p:Name>vm2</p:Name>');
    expect(r.out).toContain('<p:CreationClassName>Vessel_HostSystem</p:CreationClassName>');
  });

  it('wsl enum with a CQL filter lists only what the query selects', async () => {
    const r = await wsl([
      'enum',
      'CIM_ComputerSystem',
      '-ns',
      'root/virtualization',
      '-filter',
      "SELECT * FROM Vessel_ComputerSystem WHERE Name = 'vm2'",
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<p:Name>vm2</p:Name>');
    expect(r.out).not.toContain('<p:Name>vm1</p:Name>');
  });

  it('wsl get answers the system by its keys', async () => {
    // wsl checks that the last selector's name appears in the answer, so the namespace selector comes first.
    const r = await wsl([
      'get',
      'CIM_ComputerSystem',
      '__cimnamespace=root/virtualization',
      'CreationClassName=Vessel_ComputerSystem',
      'Name=vm1',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('<p:ElementName>vm1</p:ElementName>');
  });

  it('wsl invoke RequestStateChange (EPR found by a CQL filter) starts vm2', async () => {
    const r = await wsl([
      'invoke',
      'CIM_ComputerSystem',
      'RequestStateChange',
      'RequestedState=2',
      '-ns',
      'root/virtualization',
      '-filter',
      "SELECT * FROM Vessel_ComputerSystem WHERE Name = 'vm2'",
    ]);
    expect(r.out).toContain('RequestStateChange_OUTPUT');
    expect(r.code).toBe(0);
    expect(h.host.get('vm2').state).toBe('running');
  });

  it('wsl invoke DefineSystem with a raw body of CIM-XML (CDATA) and MOF embedded instances defines a system', async () => {
    const raw = join(work, 'define.xml');
    const image = await h.image('wsl1.qcow2');
    await writeFile(
      raw,
      `<p:DefineSystem_INPUT xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Vessel_VirtualSystemManagementService">
  <p:SystemSettings><![CDATA[<INSTANCE CLASSNAME="CIM_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>wsl1</VALUE></PROPERTY></INSTANCE>]]></p:SystemSettings>
  <p:ResourceSettings>instance of CIM_ResourceAllocationSettingData { ResourceType = 3; VirtualQuantity = 1; };</p:ResourceSettings>
  <p:ResourceSettings>&lt;INSTANCE CLASSNAME="CIM_ResourceAllocationSettingData"&gt;&lt;PROPERTY NAME="ResourceType" TYPE="uint16"&gt;&lt;VALUE&gt;4&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;PROPERTY NAME="VirtualQuantity" TYPE="uint64"&gt;&lt;VALUE&gt;64&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;PROPERTY NAME="AllocationUnits" TYPE="string"&gt;&lt;VALUE&gt;byte*2^20&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;</p:ResourceSettings>
  <p:ResourceSettings>instance of CIM_ResourceAllocationSettingData { ResourceType = 17; HostResource = {"${image}"}; };</p:ResourceSettings>
</p:DefineSystem_INPUT>`,
    );
    const r = await wsl([
      'invoke',
      'Vessel_VirtualSystemManagementService',
      'DefineSystem',
      '-ns',
      'root/virtualization',
      '-raw',
      raw,
    ]);
    expect(r.out).toContain('<p:ReturnValue>0</p:ReturnValue>');
    expect(r.out).toMatch(/<p:ResultingSystem>.*Vessel_ComputerSystem/s);
    expect(h.host.get('wsl1').definition.resources.length).toBeGreaterThan(2);
  });

  it('a reader trying RequestStateChange gets wsman:AccessDenied and vm1 stays stopped', async () => {
    const r = await wsl(
      [
        'invoke',
        'CIM_ComputerSystem',
        'RequestStateChange',
        'RequestedState=2',
        '-ns',
        'root/virtualization',
        '-filter',
        "SELECT * FROM Vessel_ComputerSystem WHERE Name = 'vm1'",
      ],
      { user: 'rita', pass: 'r3ad' },
    );
    expect(r.out).toContain('wsman:AccessDenied');
    expect(r.out).toContain('<p:CIMStatusCode>2</p:CIMStatusCode>');
    expect(h.host.get('vm1').state).toBe('stopped');
  });

  it('without uuidgen (empty MessageID) identify, enum and get still work', async () => {
    const path = noUuidgen;
    expect((await wsl(['identify', 'check'], { path })).code).toBe(0);
    const e = await wsl(['enum', 'Vessel_ComputerSystem', '-ns', 'root/virtualization'], { path });
    expect(e.code).toBe(0);
    expect(e.out).toContain('<wsa:RelatesTo/>');
    const g = await wsl(
      [
        'get',
        'Vessel_ComputerSystem',
        '__cimnamespace=root/virtualization',
        'CreationClassName=Vessel_ComputerSystem',
        'Name=vm2',
      ],
      { path },
    );
    expect(g.code).toBe(0);
    expect(g.out).toContain('<p:Name>vm2</p:Name>');
  });
});
