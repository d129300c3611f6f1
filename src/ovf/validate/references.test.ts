import { describe, expect, it } from 'vitest';
import {
  CPU,
  DISK,
  descriptor,
  FILES,
  ITEMS,
  MEMORY,
  NIC,
  SCSI,
  SECTIONS,
} from '../../../test/fixtures/ovf/descriptor.js';
import { codesOf, type Expected, expectFinding } from '../../../test/fixtures/ovf/expect.js';
import { validateDefinition } from '../../model/index.js';
import { definitionFromOvf } from '../definition.js';
import { parseOvf } from '../parse.js';
import { validateOvf } from './validate.js';

const FORMAT = 'ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"';
const disks = (body: string) => `<DiskSection><Info>d</Info>
    ${body}
  </DiskSection>
  <NetworkSection><Info>n</Info><Network ovf:name="VM Network"/></NetworkSection>`;
const options = `<DeploymentOptionSection><Info>o</Info>
    <Configuration ovf:id="small"><Label>Small</Label></Configuration>
    <Configuration ovf:id="large"><Label>Large</Label></Configuration>
  </DeploymentOptionSection>`;
const collection = (
  startup: string,
) => `<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References/>
  <VirtualSystemCollection ovf:id="app"><Info>a</Info>
    <StartupSection><Info>s</Info>
      ${startup}
    </StartupSection>
    <VirtualSystem ovf:id="web"><Info>w</Info><VirtualHardwareSection><Info>h</Info></VirtualHardwareSection></VirtualSystem>
  </VirtualSystemCollection>
</Envelope>`;

const cases: Array<[string, string, Expected]> = [
  [
    'reports a Disk whose file is not in References',
    descriptor({ sections: SECTIONS.replace('ovf:fileRef="file1"', 'ovf:fileRef="file9"') }),
    {
      code: 'OVF_UNRESOLVED_FILE',
      severity: 'error',
      at: '<Disk ',
      message: 'Disk "vmdisk1" references file "file9", which is not in References',
    },
  ],
  [
    'reports an ovf:/file/ HostResource that names no File',
    descriptor({
      items: `${ITEMS}\n<Item><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceType>15</rasd:ResourceType>\n<rasd:HostResource>ovf:/file/iso9</rasd:HostResource></Item>`,
    }),
    { code: 'OVF_UNRESOLVED_FILE', severity: 'error', at: 'ovf:/file/iso9', message: '"iso9"' },
  ],
  [
    'reports an ovf:/disk/ HostResource that names no Disk',
    descriptor({
      items: [CPU, MEMORY, SCSI, DISK.replace('ovf:/disk/vmdisk1', 'ovf:/disk/vmdisk7'), NIC].join('\n'),
    }),
    { code: 'OVF_UNRESOLVED_DISK', severity: 'error', at: 'ovf:/disk/vmdisk7', message: '"vmdisk7"' },
  ],
  [
    'reports the 0.9 /disk/ID form when it names no Disk',
    descriptor({
      items: [CPU, MEMORY, SCSI, DISK.replace('ovf:/disk/vmdisk1', '/disk/gone'), NIC].join('\n'),
    }),
    { code: 'OVF_UNRESOLVED_DISK', severity: 'error', at: '/disk/gone' },
  ],
  [
    'reports an ovf:parentRef that names no Disk',
    descriptor({
      sections: disks(
        `<Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="1048576" ovf:parentRef="base" ${FORMAT}/>`,
      ),
    }),
    { code: 'OVF_UNRESOLVED_DISK', severity: 'error', at: '<Disk ', message: 'parent disk "base"' },
  ],
  [
    'reports a loop of ovf:parentRef',
    descriptor({
      files: `${FILES}<File ovf:id="file2" ovf:href="d2.vmdk"/>`,
      sections:
        disks(`<Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="1048576" ovf:parentRef="vmdisk2" ${FORMAT}/>
    <Disk ovf:diskId="vmdisk2" ovf:fileRef="file2" ovf:capacity="1048576" ovf:parentRef="vmdisk1" ${FORMAT}/>`),
    }),
    { code: 'OVF_DISK_PARENT_CYCLE', severity: 'error', at: '<Disk ' },
  ],
  [
    'reports two Disks on one File in the same configuration',
    descriptor({
      sections: disks(`<Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="1048576" ${FORMAT}/>
    <Disk ovf:diskId="vmdisk2" ovf:fileRef="file1" ovf:capacity="1048576" ${FORMAT}/>`),
    }),
    { code: 'OVF_DISK_FILE_SHARED', severity: 'error', at: '<Disk ovf:diskId="vmdisk2"' },
  ],
  [
    'reports File ids used twice',
    descriptor({ files: `${FILES}\n<File ovf:id="file1" ovf:href="other.vmdk"/>` }),
    { code: 'OVF_DUPLICATE_ID', severity: 'error', at: 'other.vmdk', message: 'File id "file1"' },
  ],
  [
    'reports two Files with one href',
    descriptor({ files: `${FILES}\n<File ovf:id="file2" ovf:href="disk1.vmdk"/>` }),
    { code: 'OVF_DUPLICATE_HREF', severity: 'error', at: 'ovf:id="file2"' },
  ],
  [
    'reports a File without ovf:href',
    descriptor({ files: '<File ovf:id="file1"/>' }),
    { code: 'OVF_MISSING_ATTRIBUTE', severity: 'error', at: '<File', message: 'ovf:href' },
  ],
  [
    'warns about a Strings bundle whose file is not in References',
    descriptor({ after: '<Strings xml:lang="de" ovf:fileRef="de-bundle"/>' }),
    { code: 'OVF_UNRESOLVED_STRINGS_FILE', severity: 'warning', at: '<Strings' },
  ],
  [
    'reports a Connection to a network NetworkSection does not define',
    descriptor({ items: [CPU, MEMORY, SCSI, DISK, NIC.replace('>VM Network<', '>Lab<')].join('\n') }),
    {
      code: 'OVF_UNRESOLVED_NETWORK',
      severity: 'error',
      at: '<rasd:Connection>Lab',
      message: 'network "Lab"',
    },
  ],
  [
    'reports a Parent that is no InstanceID of the same section',
    descriptor({
      items: [CPU, MEMORY, SCSI, DISK.replace('<rasd:Parent>3<', '<rasd:Parent>30<'), NIC].join('\n'),
    }),
    { code: 'OVF_UNRESOLVED_PARENT', severity: 'error', at: '<rasd:Parent>30', message: 'Parent "30"' },
  ],
  [
    'reports a CD-ROM whose Parent is a network adapter, as deploy refuses it (issue 11)',
    descriptor({
      items: `${ITEMS}\n<Item><rasd:ElementName>CD-ROM 1</rasd:ElementName><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceType>15</rasd:ResourceType>\n<rasd:Parent>5</rasd:Parent></Item>`,
    }),
    {
      code: 'OVF_PARENT_NOT_CONTROLLER',
      severity: 'error',
      at: '<rasd:Parent>5',
      message: 'has Parent "5", which is a network adapter, not a storage controller',
    },
  ],
  [
    'reports an ovf:configuration that DeploymentOptionSection does not define',
    descriptor({
      sections: `${SECTIONS}${options}`,
      items: `${ITEMS}\n<Item ovf:configuration="huge"><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>8</rasd:VirtualQuantity></Item>`,
    }),
    {
      code: 'OVF_UNRESOLVED_CONFIGURATION',
      severity: 'error',
      at: '<Item ovf:configuration="huge"',
      message: '"huge"',
    },
  ],
  [
    'reports a property Value for a configuration that does not exist',
    descriptor({
      sections: `${SECTIONS}${options}`,
      systemSections: `<ProductSection><Info>p</Info>
      <Property ovf:key="mode" ovf:type="string" ovf:value="a">
        <Value ovf:value="b" ovf:configuration="medium"/>
      </Property></ProductSection>`,
    }),
    { code: 'OVF_UNRESOLVED_CONFIGURATION', severity: 'error', at: '<Value ', message: '"medium"' },
  ],
  [
    `reports a \${property} capacity that names no property`,
    descriptor({
      sections: disks(
        `<Disk ovf:diskId="vmdisk1" ovf:capacity="\${size}" ovf:capacityAllocationUnits="byte * 2^30"/>`,
      ),
      files: '',
    }),
    { code: 'OVF_UNRESOLVED_PROPERTY', severity: 'error', at: '<Disk ', message: '"size"' },
  ],
  [
    'reports a StartupSection item that is not a child of the collection',
    collection('<Item ovf:id="db" ovf:order="1"/>'),
    { code: 'OVF_UNRESOLVED_STARTUP_ID', severity: 'error', at: '<Item ovf:id="db"', message: '"db"' },
  ],
  [
    'warns about a stop action outside DSP0243',
    collection('<Item ovf:id="web" ovf:order="1" ovf:stopAction="suspend"/>'),
    { code: 'OVF_ATTRIBUTE_NONSTANDARD', severity: 'warning', at: '<Item ovf:id="web"', message: 'suspend' },
  ],
  [
    'reports a StartupSection order that is not a number',
    collection('<Item ovf:id="web" ovf:order="first"/>'),
    { code: 'OVF_ATTRIBUTE_INVALID', severity: 'error', at: '<Item ovf:id="web"', message: 'ovf:order' },
  ],
  [
    'reports two default configurations',
    descriptor({
      sections: `${SECTIONS}${options.replaceAll('<Configuration ', '<Configuration ovf:default="true" ')}`,
    }),
    {
      code: 'OVF_MULTIPLE_DEFAULT_CONFIGURATIONS',
      severity: 'error',
      at: '<Configuration ovf:default="true" ovf:id="large"',
    },
  ],
  [
    'reports an ovf:/ HostResource of an unknown kind',
    descriptor({
      items: [CPU, MEMORY, SCSI, DISK.replace('ovf:/disk/vmdisk1', 'ovf:/volume/vmdisk1'), NIC].join('\n'),
    }),
    { code: 'OVF_HOST_RESOURCE_INVALID', severity: 'error', at: 'ovf:/volume/' },
  ],
  [
    'warns about a disk drive whose HostResource is a host path',
    descriptor({ items: [CPU, MEMORY, SCSI, DISK.replace('ovf:/disk/vmdisk1', '/dev/sda'), NIC].join('\n') }),
    { code: 'OVF_HOST_RESOURCE_FOREIGN', severity: 'warning', at: '/dev/sda' },
  ],
  [
    'warns about a Disk no Item uses',
    descriptor({ items: [CPU, MEMORY, NIC].join('\n') }),
    { code: 'OVF_DISK_UNUSED', severity: 'warning', at: '<Disk ', message: 'vmdisk1' },
  ],
];

describe('validateOvf() with lax', () => {
  it('reports a NIC on a network NetworkSection does not define as a warning, as ovftool --lax does', () => {
    const xml = descriptor({
      items: [CPU, MEMORY, SCSI, DISK, NIC.replace('>VM Network<', '>Lab<')].join('\n'),
    });
    const strict = validateOvf(parseOvf(xml)).filter((d) => d.code === 'OVF_UNRESOLVED_NETWORK');
    const lax = validateOvf(parseOvf(xml), { lax: true }).filter((d) => d.code === 'OVF_UNRESOLVED_NETWORK');
    expect(strict.map((d) => d.severity)).toEqual(['error']);
    expect(lax.map((d) => d.severity)).toEqual(['warning']);
  });
});

describe('validateOvf() and deploy agree on drive parents', () => {
  const cd = (parent: string) =>
    `<Item><rasd:ElementName>CD-ROM 1</rasd:ElementName><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceType>15</rasd:ResourceType><rasd:Parent>${parent}</rasd:Parent></Item>`;
  const IDE = '<Item><rasd:InstanceID>7</rasd:InstanceID><rasd:ResourceType>5</rasd:ResourceType></Item>';
  it.each([
    ['a NIC', '5', true],
    ['the processor', '1', true],
    ['a disk', '4', true],
    ['an IDE controller', '7', false],
    ['a SCSI controller', '3', false],
  ])('a CD/DVD whose Parent is %s: both refuse it, or both accept it', (_, parent, refused) => {
    const env = parseOvf(descriptor({ items: `${ITEMS}\n${IDE}\n${cd(parent)}` }));
    const ovf = validateOvf(env).filter((d) => d.code === 'OVF_PARENT_NOT_CONTROLLER');
    // Deploy checks the definition with the model's validator (host/deploy/plan.ts, assertValidDefinition).
    const model = validateDefinition(definitionFromOvf(env).definition).filter(
      (p) => p.severity === 'error' && p.instanceId === '6',
    );
    expect(ovf.length > 0, 'validate').toBe(refused);
    expect(model.length > 0, 'deploy').toBe(refused);
  });
});

describe('validateOvf() reference checks', () => {
  it.each(cases)('%s', (_name, xml, e) => {
    expectFinding(xml, e);
  });

  it("accepts every HostResource spelling: ovf:/disk/, /disk/ (0.9) and VirtualBox's ovf://disk/", () => {
    for (const form of ['ovf:/disk/vmdisk1', '/disk/vmdisk1', 'ovf://disk/vmdisk1']) {
      const xml = descriptor({
        items: [CPU, MEMORY, SCSI, DISK.replace('ovf:/disk/vmdisk1', form), NIC].join('\n'),
      });
      expect(codesOf(xml), form).toEqual([]);
    }
  });

  it('lets Disks of different deployment options share one File, as ovftool writes them', () => {
    const xml = descriptor({
      sections: `${disks(`<Disk ovf:diskId="small" ovf:fileRef="file1" ovf:capacity="1048576" ${FORMAT}/>
    <Disk ovf:diskId="large" ovf:fileRef="file1" ovf:capacity="2097152" ${FORMAT}/>`)}${options}`,
      items: `${CPU}\n${MEMORY}\n${SCSI}
      <Item ovf:configuration="small"><rasd:HostResource>ovf:/disk/small</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item ovf:configuration="large"><rasd:HostResource>ovf:/disk/large</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>`,
    });
    expect(codesOf(xml)).toEqual([]);
  });

  it(`resolves a \${property} capacity by key or by class.key.instance`, () => {
    const xml = descriptor({
      files: '',
      sections: disks(
        `<Disk ovf:diskId="vmdisk1" ovf:capacity="\${disk.size.1}" ovf:capacityAllocationUnits="byte * 2^30"/>`,
      ),
      systemSections:
        '<ProductSection ovf:class="disk" ovf:instance="1"><Info>p</Info><Property ovf:key="size" ovf:type="uint16" ovf:value="8"/></ProductSection>',
    });
    expect(codesOf(xml)).toEqual([]);
  });
});
