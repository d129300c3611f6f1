import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wbemcli } from '../../../test/helpers/wbemcli.js';
import { resultOf } from '../../api/index.js';
import { type CimInstance, isInstance } from '../../cim/index.js';
import { CimClient } from './client.js';
import { type IndicationListener, startIndicationListener } from './listener.js';
import { startTestHost, type TestHost } from './test-host.js';

// sblim wbemcli creating DSP1054's filter and destination with `ci` and deleting them with `di`. wbemcli cannot
// write a reference-valued key in its object path syntax ("Incorrectly quoted string"), so the subscription is
// made with Vessel's client.

let h: TestHost;
let base: string;
let listener: IndicationListener;
const received: CimInstance[] = [];

const keys = (cls: string, name: string) =>
  `CreationClassName="${cls}",Name="${name}",SystemCreationClassName="Vessel_HostSystem",SystemName="testhost"`;

beforeAll(async () => {
  h = await startTestHost({ vms: 1 });
  base = `${h.url.replace('http://', 'http://admin:secret@')}/root/interop`;
  listener = await startIndicationListener({ port: 0, onIndication: (i) => received.push(i) });
}, 60_000);

afterAll(async () => {
  await listener?.close();
  await h?.close();
});

describe('wbemcli and DSP1054 subscriptions', () => {
  it('ci creates a filter and a destination that deliver; di deletes them', async () => {
    const f = await wbemcli(
      'ci',
      `${base}:CIM_IndicationFilter.${keys('CIM_IndicationFilter', 'wf')}`,
      `${keys('CIM_IndicationFilter', 'wf')},Query="SELECT * FROM CIM_InstModification",QueryLanguage="WQL"`,
    );
    expect(f.code, f.out).toBe(0);
    expect(f.out).toContain('CIM_IndicationFilter.');
    const d = await wbemcli(
      'ci',
      `${base}:CIM_ListenerDestinationCIMXML.${keys('CIM_ListenerDestinationCIMXML', 'wd')}`,
      `${keys('CIM_ListenerDestinationCIMXML', 'wd')},Destination="${listener.url}"`,
    );
    expect(d.code, d.out).toBe(0);
    const bad = await wbemcli(
      'ci',
      `${base}:CIM_ListenerDestinationCIMXML.${keys('CIM_ListenerDestinationCIMXML', 'evil')}`,
      `${keys('CIM_ListenerDestinationCIMXML', 'evil')},Destination="file:///etc/shadow"`,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/CIM_ERR_INVALID_PARAMETER|http or https/);
    const listed = await wbemcli('ei', `${base}:CIM_IndicationFilter`);
    expect(listed.out).toMatch(/Query="SELECT \* FROM CIM_InstModification",QueryLanguage="WQL"/);

    const admin = new CimClient(h.url, { user: 'admin', password: 'secret', namespace: 'root/interop' });
    try {
      const [fp] = await admin.enumerateInstanceNames('CIM_IndicationFilter');
      const [dp] = await admin.enumerateInstanceNames('CIM_ListenerDestinationCIMXML');
      const s = await admin.createInstance({
        className: 'CIM_IndicationSubscription',
        properties: { Filter: fp!, Handler: dp! },
      });
      resultOf(await h.api.systems.changeState('vm1', 'start', { waitMs: 10_000 }));
      await expect
        .poll(() => received.some((i) => isInstance(i.properties.SourceInstance)), { timeout: 5000 })
        .toBe(true);
      await admin.deleteInstance(s);
    } finally {
      admin.close();
    }
    expect(
      (await wbemcli('di', `${base}:CIM_IndicationFilter.${keys('CIM_IndicationFilter', 'wf')}`)).code,
    ).toBe(0);
    expect(
      (
        await wbemcli(
          'di',
          `${base}:CIM_ListenerDestinationCIMXML.${keys('CIM_ListenerDestinationCIMXML', 'wd')}`,
        )
      ).code,
    ).toBe(0);
    expect((await wbemcli('ein', `${base}:CIM_IndicationFilter`)).out.trim()).toBe('');
  });
});
