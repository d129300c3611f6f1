import { describe, expect, it } from 'vitest';
import {
  CPU,
  DISK,
  descriptor,
  FILES,
  MEMORY,
  NIC,
  SCSI,
  SECTIONS,
} from '../../../test/fixtures/ovf/descriptor.js';
import { codesOf, type Expected, expectFinding } from '../../../test/fixtures/ovf/expect.js';

const FORMAT = 'ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"';
const withDisk = (attrs: string) =>
  descriptor({
    sections: SECTIONS.replace(
      /<Disk [^>]*\/>/,
      `<Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ${FORMAT} ${attrs}/>`,
    ),
  });
const withItems = (...items: string[]) => descriptor({ items: items.join('\n      ') });
const memory = (quantity: string, units: string) =>
  MEMORY.replace('>512<', `>${quantity}<`).replace('>byte * 2^20<', `>${units}<`);
const withVqu = (xml: string, vqu: string) =>
  xml.replace('</Item>', `  <rasd:VirtualQuantityUnits>${vqu}</rasd:VirtualQuantityUnits>\n      </Item>`);
const item = (body: string, attrs = '') => `<Item ${attrs}>${body}</Item>`;

const cases: Array<[string, string, Expected]> = [
  [
    'reports a File size that is not a whole number',
    descriptor({ files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="abcd"/>' }),
    { code: 'OVF_FILE_SIZE_INVALID', severity: 'error', at: '<File', message: '"abcd"' },
  ],
  [
    'reports a negative File size',
    descriptor({ files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="-2"/>' }),
    { code: 'OVF_FILE_SIZE_INVALID', severity: 'error', at: '<File' },
  ],
  [
    'reports a File size beyond 2^63-1 bytes',
    descriptor({ files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="9223372036854775808"/>' }),
    { code: 'OVF_FILE_SIZE_INVALID', severity: 'error', at: '<File', message: '2^63-1' },
  ],
  [
    'reports a chunk size of zero',
    descriptor({ files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="100" ovf:chunkSize="0"/>' }),
    { code: 'OVF_FILE_CHUNK_INVALID', severity: 'error', at: '<File' },
  ],
  [
    'reports a chunk size that needs more than 10^9 chunks',
    descriptor({
      files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="2000000000" ovf:chunkSize="1"/>',
    }),
    { code: 'OVF_FILE_CHUNK_INVALID', severity: 'error', at: '<File', message: '10^9' },
  ],
  [
    'warns about a chunk size not smaller than the file',
    descriptor({ files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:size="100" ovf:chunkSize="4096"/>' }),
    { code: 'OVF_FILE_CHUNK_UNNEEDED', severity: 'warning', at: '<File' },
  ],
  [
    'reports an unknown compression',
    descriptor({ files: '<File ovf:id="file1" ovf:href="disk1.vmdk" ovf:compression="zip"/>' }),
    { code: 'OVF_FILE_COMPRESSION_UNKNOWN', severity: 'error', at: '<File', message: '"zip"' },
  ],
  [
    'reports a capacity that is neither a number nor a property reference',
    withDisk('ovf:capacity="lots"'),
    { code: 'OVF_CAPACITY_INVALID', severity: 'error', at: '<Disk ', message: '"lots"' },
  ],
  [
    'reports a capacity of zero',
    withDisk('ovf:capacity="0"'),
    { code: 'OVF_VALUE_OUT_OF_RANGE', severity: 'error', at: '<Disk ', message: 'greater than 0' },
  ],
  [
    'reports a capacity beyond 2^64 bytes',
    withDisk('ovf:capacity="17" ovf:capacityAllocationUnits="byte * 2^60"'),
    { code: 'OVF_VALUE_OUT_OF_RANGE', severity: 'error', at: '<Disk ', message: '2^64' },
  ],
  [
    'reports a Disk without ovf:capacity',
    withDisk(''),
    { code: 'OVF_MISSING_ATTRIBUTE', severity: 'error', at: '<Disk ', message: 'ovf:capacity' },
  ],
  [
    'reports capacity units that are not a programmatic unit',
    withDisk('ovf:capacity="1" ovf:capacityAllocationUnits="byte * two^30"'),
    { code: 'OVF_UNITS_INVALID', severity: 'error', at: '<Disk ', message: 'byte * two^30' },
  ],
  [
    'reports capacity units that are not bytes',
    withDisk('ovf:capacity="1" ovf:capacityAllocationUnits="hertz * 10^9"'),
    { code: 'OVF_UNITS_WRONG_BASE', severity: 'error', at: '<Disk ', message: 'hertzs' },
  ],
  [
    'reports populatedSize above the capacity',
    withDisk('ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^20" ovf:populatedSize="1048577"'),
    { code: 'OVF_POPULATED_SIZE_EXCEEDS_CAPACITY', severity: 'error', at: '<Disk ', message: '1048577' },
  ],
  [
    'reports a populatedSize that is not a number',
    withDisk('ovf:capacity="1" ovf:populatedSize="big"'),
    { code: 'OVF_VALUE_NOT_INTEGER', severity: 'error', at: '<Disk ' },
  ],
  [
    'warns about a Disk with a file but no format',
    descriptor({ sections: SECTIONS.replace(/ovf:format="[^"]*"/, '') }),
    { code: 'OVF_DISK_NO_FORMAT', severity: 'warning', at: '<Disk ' },
  ],
  [
    'reports memory units that are not a programmatic unit',
    withItems(CPU, memory('512', 'MegaBobs'), SCSI, DISK, NIC),
    { code: 'OVF_UNITS_INVALID', severity: 'error', at: '>MegaBobs<', message: 'MegaBobs' },
  ],
  [
    'reports memory in MegaBits, which DSP0004 reads as 10^6 bits (a prefixed plural), not bytes',
    withItems(CPU, memory('512', 'MegaBits'), SCSI, DISK, NIC),
    { code: 'OVF_UNITS_WRONG_BASE', severity: 'error', at: '>MegaBits<', message: 'in bits' },
  ],
  [
    'warns about a plural base name and says what to write',
    withItems(CPU, memory('512', 'bytes * 2^20'), SCSI, DISK, NIC),
    { code: 'OVF_UNITS_LEGACY', severity: 'warning', at: '>bytes * 2^20<', message: 'plural base name' },
  ],
  [
    'reports memory that is not a whole number of bytes instead of rounding it',
    withItems(CPU, memory('3', 'byte * 2^-2'), SCSI, DISK, NIC),
    {
      code: 'OVF_UNITS_INEXACT',
      severity: 'error',
      at: '<rasd:VirtualQuantity>3<',
      message: 'not a whole number of bytes',
    },
  ],
  [
    'reports memory in hertz',
    withItems(CPU, memory('512', 'hertz * 10^6'), SCSI, DISK, NIC),
    {
      code: 'OVF_UNITS_WRONG_BASE',
      severity: 'error',
      at: '<rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\n        <rasd:ElementName>512',
    },
  ],
  [
    'reads VirtualQuantity by VirtualQuantityUnits: 100000 × byte*2^30 is beyond any platform, not 100000 MiB',
    withItems(CPU, withVqu(memory('100000', 'byte * 2^20'), 'byte*2^30'), SCSI, DISK, NIC),
    { code: 'OVF_VALUE_OUT_OF_RANGE', severity: 'error', at: '>100000<', message: '"byte*2^30"' },
  ],
  [
    'warns about VirtualQuantityUnits "count" on memory (the CIM default) and reads AllocationUnits instead',
    withItems(CPU, withVqu(MEMORY, 'count'), SCSI, DISK, NIC),
    { code: 'OVF_UNITS_IGNORED', severity: 'warning', at: '>count<', message: 'cannot measure a size' },
  ],
  [
    'reports a processor VirtualQuantityUnits that does not count CPUs',
    withItems(withVqu(CPU, 'hertz * 10^6'), MEMORY, SCSI, DISK, NIC),
    {
      code: 'OVF_UNITS_WRONG_BASE',
      severity: 'error',
      at: '<rasd:VirtualQuantityUnits>hertz',
      message: 'must be in counts',
    },
  ],
  [
    'warns about a legacy unit name and says what to write',
    withItems(CPU, memory('512', 'MegaBytes'), SCSI, DISK, NIC),
    { code: 'OVF_UNITS_LEGACY', severity: 'warning', at: '>MegaBytes<', message: 'MegaBytes' },
  ],
  [
    'reports more memory than any platform supports',
    withItems(CPU, memory('128', 'byte * 2^40'), SCSI, DISK, NIC),
    { code: 'OVF_VALUE_OUT_OF_RANGE', severity: 'error', at: '<rasd:VirtualQuantity>128', message: '64 TiB' },
  ],
  [
    'reports memory of zero bytes',
    withItems(CPU, memory('0', 'byte * 2^20'), SCSI, DISK, NIC),
    {
      code: 'OVF_VALUE_OUT_OF_RANGE',
      severity: 'error',
      at: '<rasd:VirtualQuantity>0',
      message: 'no memory',
    },
  ],
  [
    'reports more virtual CPUs than any platform supports',
    withItems(
      CPU.replace('<rasd:VirtualQuantity>1<', '<rasd:VirtualQuantity>5000<'),
      MEMORY,
      SCSI,
      DISK,
      NIC,
    ),
    { code: 'OVF_VALUE_OUT_OF_RANGE', severity: 'error', at: '<rasd:VirtualQuantity>5000', message: '5000' },
  ],
  [
    'reports a VirtualQuantity that is not a number',
    withItems(CPU, memory('lots', 'byte * 2^20'), SCSI, DISK, NIC),
    { code: 'OVF_VALUE_NOT_INTEGER', severity: 'error', at: '<rasd:VirtualQuantity>lots', message: '"lots"' },
  ],
  [
    'reports a ResourceType that is not a number',
    withItems(item('<rasd:InstanceID>9</rasd:InstanceID>\n<rasd:ResourceType>disk</rasd:ResourceType>')),
    { code: 'OVF_VALUE_NOT_INTEGER', severity: 'error', at: '<rasd:ResourceType>disk' },
  ],
  [
    'reports an Item without InstanceID',
    withItems(item('<rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity>')),
    { code: 'OVF_ITEM_NO_INSTANCE_ID', severity: 'error', at: '<Item >' },
  ],
  [
    'reports an Item without ResourceType',
    withItems(item('<rasd:InstanceID>9</rasd:InstanceID>')),
    { code: 'OVF_ITEM_NO_RESOURCE_TYPE', severity: 'error', at: '<Item >', message: 'Item 9' },
  ],
  [
    'reports InstanceIDs used twice for the same configuration and bound',
    withItems(CPU, MEMORY.replace('>2<', '>1<').replace('<Item>', '<Item ovf:required="true">')),
    {
      code: 'OVF_DUPLICATE_INSTANCE_ID',
      severity: 'error',
      at: '<Item ovf:required="true">',
      message: '"1"',
    },
  ],
  [
    'reports two min range markers of one InstanceID',
    withItems(
      CPU,
      MEMORY,
      item(
        '<rasd:InstanceID>2</rasd:InstanceID><rasd:Reservation>256</rasd:Reservation><rasd:ResourceType>4</rasd:ResourceType>',
        'ovf:bound="min"',
      ),
      item(
        '<rasd:InstanceID>2</rasd:InstanceID><rasd:Reservation>128</rasd:Reservation><rasd:ResourceType>4</rasd:ResourceType>',
        'ovf:bound="min" ',
      ),
    ),
    {
      code: 'OVF_DUPLICATE_INSTANCE_ID',
      severity: 'error',
      at: '<Item ovf:bound="min" >',
      message: 'ovf:bound="min"',
    },
  ],
  [
    'reports a range marker without a normal Item',
    withItems(
      CPU,
      item(
        '<rasd:InstanceID>7</rasd:InstanceID><rasd:Limit>1024</rasd:Limit><rasd:ResourceType>4</rasd:ResourceType>',
        'ovf:bound="max"',
      ),
    ),
    { code: 'OVF_BOUND_WITHOUT_NORMAL', severity: 'error', at: '<Item ovf:bound="max"' },
  ],
  [
    'reports an ovf:bound that is not min, max or normal',
    withItems(CPU, MEMORY.replace('<Item>', '<Item ovf:bound="most">')),
    { code: 'OVF_BOUND_INVALID', severity: 'error', at: '<Item ovf:bound="most">' },
  ],
  [
    'reports a second memory Item for the same configuration',
    withItems(
      CPU,
      MEMORY,
      memory('1024', 'byte * 2^20').replace('>2<', '>8<').replace('<Item>', '<Item ovf:required="true">'),
    ),
    {
      code: 'OVF_DUPLICATE_RESOURCE',
      severity: 'error',
      at: '<Item ovf:required="true">',
      message: 'second memory Item',
    },
  ],
  [
    'warns about a memory Item without VirtualQuantity',
    withItems(
      CPU,
      item(
        '<rasd:InstanceID>2</rasd:InstanceID><rasd:Reservation>300</rasd:Reservation><rasd:ResourceType>4</rasd:ResourceType>',
      ),
    ),
    { code: 'OVF_ITEM_NO_QUANTITY', severity: 'warning', at: '<Item ><rasd:InstanceID>2' },
  ],
  [
    'reports a required Item with a ResourceType CIM does not define',
    withItems(
      CPU,
      MEMORY,
      item('<rasd:InstanceID>6</rasd:InstanceID>\n<rasd:ResourceType>35</rasd:ResourceType>'),
    ),
    { code: 'OVF_RESOURCE_TYPE_UNKNOWN', severity: 'error', at: '<rasd:ResourceType>35', message: '35' },
  ],
  [
    'downgrades an unknown ResourceType to a warning with lax',
    withItems(
      CPU,
      MEMORY,
      item('<rasd:InstanceID>6</rasd:InstanceID>\n<rasd:ResourceType>35</rasd:ResourceType>'),
    ),
    {
      code: 'OVF_RESOURCE_TYPE_UNKNOWN',
      severity: 'warning',
      at: '<rasd:ResourceType>35',
      options: { lax: true },
    },
  ],
  [
    'warns about an optional Item with a ResourceType CIM does not define',
    withItems(
      CPU,
      MEMORY,
      item(
        '<rasd:InstanceID>6</rasd:InstanceID>\n<rasd:ResourceType>34</rasd:ResourceType>',
        'ovf:required="false"',
      ),
    ),
    { code: 'OVF_OPTIONAL_RESOURCE_TYPE_UNKNOWN', severity: 'warning', at: '<rasd:ResourceType>34' },
  ],
  [
    'reports Item properties in a namespace that only looks like a CIM one',
    withItems(
      CPU,
      MEMORY,
      item(
        '<x:InstanceID xmlns:x="http://schemas.dmtf.org/wbem/wscim/1/cim2608 schema/2/CIM_EthernetPortAllocationSettingData">9</x:InstanceID>',
      ),
    ),
    { code: 'OVF_CIM_NAMESPACE_UNKNOWN', severity: 'error', at: '<x:InstanceID', message: 'cim2608 schema' },
  ],
  [
    'warns about a transport that is neither known nor a URI',
    descriptor({ hardwareAttrs: 'ovf:transport="iso carrier-pigeon"' }),
    {
      code: 'OVF_TRANSPORT_UNKNOWN',
      severity: 'warning',
      at: '<VirtualHardwareSection',
      message: 'carrier-pigeon',
    },
  ],
];

describe('validateOvf() value and unit checks', () => {
  it.each(cases)('%s', (_name, xml, e) => {
    expectFinding(xml, e);
  });

  it('reads every unit spelling the corpus uses, exactly', () => {
    for (const units of [
      'byte * 2^20',
      'byte * 2 ^ 20',
      'byte*2^20',
      'byte*1024*1024',
      'byte * 2^30',
      'MB',
    ]) {
      const q = units === 'byte * 2^30' ? '1' : '512';
      const codes = codesOf(withItems(CPU, memory(q, units), SCSI, DISK, NIC));
      expect(
        codes.filter((c) => c !== 'OVF_UNITS_LEGACY'),
        units,
      ).toEqual([]);
    }
    expect(codesOf(withItems(CPU.replace('hertz * 10^6', 'Hertz*10^9'), MEMORY, SCSI, DISK, NIC))).toEqual(
      [],
    );
  });

  it('accepts the 0.9 BusNumber property, the known transports and a URI transport', () => {
    const xml = descriptor({
      hardwareAttrs:
        'ovf:transport="com.vmware.guestInfo,iso http://www.ibm.com/xmlns/ovf/transport/filesystem/etc/ovf-transport"',
      items: [
        CPU,
        MEMORY,
        SCSI.replace('<rasd:Address>0</rasd:Address>', '<rasd:BusNumber>0</rasd:BusNumber>'),
        DISK,
        NIC,
      ].join('\n'),
    });
    expect(codesOf(xml)).toEqual([]);
  });

  it('accepts sizes at the edge of the range and an empty File list with an empty Disk', () => {
    const edge = descriptor({ files: `${FILES.replace('1048576', '9223372036854775807')}` });
    expect(codesOf(edge)).toEqual([]);
    const sixteenEiB = withDisk('ovf:capacity="16" ovf:capacityAllocationUnits="byte * 2^60"');
    expect(codesOf(sixteenEiB)).toEqual([]);
  });
});
