import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { CimError } from '../errors.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import { execQuery } from './run.js';

// ExecQuery through the object manager (DSP0200 §5.3.2.11), on a host with two systems, one running.

const NS = VIRT_NAMESPACE;
let s: CimSubject;

beforeAll(async () => {
  s = await openCimSubject();
  for (const name of ['web1', 'db1'])
    await s.define(buildDefinition({ name, cpus: name === 'db1' ? 2 : 1, memoryBytes: 64n << 20n }));
  resultOf(await s.api.systems.changeState('db1', 'start', { waitMs: Number.POSITIVE_INFINITY }));
});
afterAll(async () => {
  await s.close();
});

const query = (text: string, language = 'WQL', role: 'admin' | 'reader' = 'admin') =>
  execQuery(s.cim.om, newContext('alice', role), NS, language, text);
const names = async (text: string, language = 'WQL') =>
  (await query(text, language)).instances
    .map((i) => String(i.properties.Name ?? i.properties.InstanceID))
    .sort();
const failure = async (text: string, language = 'WQL') => {
  try {
    await query(text, language);
  } catch (e) {
    return e instanceof CimError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'answered';
};

describe('execQuery()', () => {
  it('selects by comparisons, IS NULL, ISA, AND/OR/NOT, polymorphically from the FROM class', async () => {
    expect(await names('SELECT * FROM CIM_ComputerSystem')).toEqual(['db1', 'host1', 'web1']);
    expect(await names('SELECT * FROM CIM_ComputerSystem WHERE EnabledState = 2')).toEqual(['db1', 'host1']);
    expect(
      await names("SELECT * FROM CIM_ComputerSystem WHERE EnabledState = 2 AND NOT Name = 'HOST1'"),
    ).toEqual(['db1']);
    // CQL compares strings with case, WQL without.
    expect(await names("SELECT * FROM CIM_ComputerSystem WHERE Name = 'HOST1'", 'DMTF:CQL')).toEqual([]);
    expect(
      await names(
        "SELECT * FROM CIM_ComputerSystem WHERE (Name = 'web1' OR Name = 'db1') AND EnabledState <> 2",
      ),
    ).toEqual(['web1']);
    expect(
      await names('SELECT * FROM CIM_ComputerSystem WHERE CIM_ComputerSystem ISA Vessel_ComputerSystem'),
    ).toEqual(['db1', 'web1']);
    expect(
      await names(
        "SELECT * FROM CIM_ResourceAllocationSettingData WHERE ResourceType = 3 AND VirtualQuantity >= 2 AND InstanceID > 'Vessel:Template/~'",
        'DMTF:CQL',
      ),
    ).toEqual(['Vessel:db1/1']);
    expect(
      await names("SELECT * FROM CIM_ComputerSystem WHERE CIM_ComputerSystem ISA 'Vessel_HostSystem'"),
    ).toEqual(['host1']);
    expect(await names('SELECT * FROM CIM_ComputerSystem WHERE RequestedState IS NULL')).toEqual([]);
    expect(await names('SELECT * FROM CIM_ComputerSystem WHERE NOT RequestedState IS NOT NULL')).toEqual([]);
    // Templates are RASDs too; string order puts them before the systems' settings.
    const settings = await names(
      "SELECT * FROM CIM_ResourceAllocationSettingData WHERE InstanceID > 'Vessel:Template/~'",
      'DMTF:CQL',
    );
    expect(settings.length).toBeGreaterThan(3);
    expect(settings.every((id) => /^Vessel:(web1|db1)\//.test(id))).toBe(true);
    // An unknown comparison (NULL on one side) is not true, and neither is its negation.
    expect(
      await names("SELECT * FROM CIM_ResourceAllocationSettingData WHERE NOT HostResource = 'x'"),
    ).toEqual([]);
  });

  it('answers only the selected properties, with full paths', async () => {
    const r = await query("SELECT Name, EnabledState FROM CIM_ComputerSystem WHERE Name = 'db1'");
    expect([...(r.properties ?? [])]).toEqual(['name', 'enabledstate']);
    expect(r.instances[0]!.path?.keys).toMatchObject({
      Name: 'db1',
      CreationClassName: 'Vessel_ComputerSystem',
    });
  });

  it('refuses unknown languages, classes and properties, and bad syntax', async () => {
    expect(await failure('SELECT * FROM CIM_ComputerSystem', 'SQL')).toMatch(
      /^CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED/,
    );
    expect(await failure('SELECT * FROM Bogus_Class')).toMatch(
      /^CIM_ERR_INVALID_QUERY: No class "Bogus_Class"/,
    );
    expect(await failure('SELECT Bogus FROM CIM_ComputerSystem')).toMatch(/has no property "Bogus"/);
    expect(await failure('SELECT * FROM CIM_ComputerSystem WHERE Bogus = 1')).toMatch(
      /has no property "Bogus"/,
    );
    expect(await failure('SELECT * FROM CIM_ComputerSystem WHERE X ISA Nope')).toMatch(/No class "Nope"/);
    expect(await failure('SELECT * FROM CIM_ComputerSystem WHERE')).toMatch(
      /Expected a property name at position 39 \(the end\)/,
    );
  });

  it('reads through the caller’s session like EnumerateInstances: a reader sees the same systems', async () => {
    const r = await query('SELECT * FROM CIM_ComputerSystem WHERE EnabledState = 2', 'WQL', 'reader');
    expect(r.instances.map((i) => i.properties.Name).sort()).toEqual(['db1', 'host1']);
  });
});
