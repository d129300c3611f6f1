import { describe, expect, it } from 'vitest';
import { bootOrderFromOvf, firmwareFromOvf } from './boot.js';
import { definitionFromOvf } from './definition.js';
import { parseOvf } from './parse.js';
import { virtualSystems } from './select.js';

const ITEMS = `
  <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
  <Item><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>15</rasd:ResourceType></Item>
  <Item><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>10</rasd:ResourceType></Item>`;

function envelope(gen: '1' | '2', hwExtra: string, sections = ''): string {
  const ns = `http://schemas.dmtf.org/ovf/envelope/${gen}`;
  return `<Envelope xmlns="${ns}" xmlns:ovf="${ns}"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vbox="http://www.virtualbox.org/ovf/machine"
    xmlns:vessel="urn:vessel:ovf:1"
    xmlns:bootc="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_BootConfigSetting"
    xmlns:boots="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_BootSourceSetting"><References/>
    <VirtualSystem ovf:id="vm"><Info>vm</Info>
      <VirtualHardwareSection><Info>hw</Info>${ITEMS}${hwExtra}</VirtualHardwareSection>${sections}
    </VirtualSystem></Envelope>`;
}

const system = (xml: string) => virtualSystems(parseOvf(xml))[0]!;
const items = [
  { instanceId: '1', resourceType: 17 },
  { instanceId: '2', resourceType: 15 },
  { instanceId: '3', resourceType: 10 },
];
const source = (id: string, structured = '') =>
  `<boots:CIM_BootSourceSetting><boots:ElementName>x</boots:ElementName><boots:InstanceID>${id}</boots:InstanceID>${structured && `<boots:StructuredBootString>${structured}</boots:StructuredBootString>`}</boots:CIM_BootSourceSetting>`;
const deviceSection = (sources: string) =>
  `<BootDeviceSection ovf:required="false"><Info>b</Info><bootc:CIM_BootConfigSetting><bootc:ElementName>b</bootc:ElementName><bootc:InstanceID>b</bootc:InstanceID>${sources}</bootc:CIM_BootConfigSetting></BootDeviceSection>`;

describe('firmwareFromOvf()', () => {
  it("reads VMware's vmw:Config firmware (efi, anything else BIOS) and VirtualBox's Machine firmware", () => {
    const vmw = (v: string) =>
      envelope('1', `<vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="${v}"/>`);
    expect(firmwareFromOvf(system(vmw('EFI')))).toBe('efi');
    expect(firmwareFromOvf(system(vmw('bios')))).toBe('bios');
    expect(firmwareFromOvf(system(vmw('something')))).toBe('bios');
    const vbox = envelope(
      '1',
      '',
      '<vbox:Machine ovf:required="false"><Hardware><Firmware type="EFI64"/></Hardware></vbox:Machine>',
    );
    expect(firmwareFromOvf(system(vbox))).toBe('efi');
    expect(firmwareFromOvf(system(envelope('1', '')))).toBeUndefined();
    expect(definitionFromOvf(parseOvf(vmw('efi'))).definition.system.Firmware).toBe('efi');
  });
});

describe('bootOrderFromOvf() on what a package says', () => {
  it('reads vessel:BootOrder device ids in order, blanks left out', () => {
    const xml = envelope(
      '1',
      '<vessel:BootOrder ovf:required="false"><vessel:Device>3</vessel:Device><vessel:Device> </vessel:Device><vessel:Device>1</vessel:Device></vessel:BootOrder>',
    );
    expect(bootOrderFromOvf(system(xml), items)).toEqual(['3', '1']);
  });

  it('reads a BootDeviceSection by InstanceID, else by CIM:<kind>:<n>, and leaves out sources that name nothing', () => {
    const xml = envelope(
      '2',
      '',
      deviceSection(
        source('2') +
          source('gone', 'CIM:Network:1') +
          source('gone', 'CIM:Hard-Disk:9') +
          source('x', 'CIM:USB:1'),
      ),
    );
    expect(bootOrderFromOvf(system(xml), items)).toEqual(['2', '3']);
  });

  it('reads at most 256 boot sources from a hostile descriptor', () => {
    const xml = envelope('2', '', deviceSection(source('1').repeat(5000)));
    expect(bootOrderFromOvf(system(xml), items)).toHaveLength(256);
  });

  it('boot order ids that name no device reach the definition only as ids: the device view ignores them with a warning', async () => {
    const { readDevices } = await import('../model/index.js');
    const xml = envelope(
      '1',
      '<vessel:BootOrder ovf:required="false"><vessel:Device>../../etc/passwd</vessel:Device><vessel:Device>1</vessel:Device></vessel:BootOrder>',
    );
    const def = definitionFromOvf(parseOvf(xml)).definition;
    expect(def.system.BootOrder).toEqual(['../../etc/passwd', '1']);
    const view = readDevices(def);
    expect(view.findings.map((f) => f.code)).toContain('IGNORED');
  });
});
