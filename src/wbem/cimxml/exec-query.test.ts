import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED } from '../../../test/helpers/cli.js';
import { resultOf } from '../../api/index.js';
import { startTestHost, type TestHost } from './test-host.js';

// ExecQuery (DSP0200 §5.3.2.11) over HTTP, with the request bytes pywbem sends (its ExecQuery function tests),
// against a live host on the test driver (issue 11).

const EXAMPLES = join(SHARED, 'cim', 'wire', 'cimxml-examples');
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({
    vms: 2,
    users: [
      ['admin', 'admin', 'secret'],
      ['rita', 'reader', 'r3ad'],
    ],
  });
  resultOf(await host.api.systems.changeState('vm2', 'start', { waitMs: Number.POSITIVE_INFINITY }));
});
afterAll(async () => {
  await host.close();
});

/** pywbem's request body of an example, with the namespace and the query replaced. */
function pywbemRequest(example: string, language: string, query: string): string {
  const text = readFileSync(join(EXAMPLES, example), 'utf8');
  const body = text.slice(text.indexOf('<?xml'), text.indexOf('==== RESPONSE'));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return body
    .replace('<NAMESPACE NAME="cimv2"/>', '<NAMESPACE NAME="virtualization"/>')
    .replace(/(<IPARAMVALUE NAME="QueryLanguage">\s*<VALUE>)[^<]*/, `$1${esc(language)}`)
    .replace(/(<IPARAMVALUE NAME="Query">\s*<VALUE>)[^<]*/, `$1${esc(query)}`);
}

async function execQuery(language: string, query: string, user = 'admin:secret'): Promise<string> {
  const r = await fetch(`${host.url}/cimom`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/xml; charset="utf-8"',
      CIMOperation: 'MethodCall',
      CIMMethod: 'ExecQuery',
      CIMObject: 'root%2Fvirtualization',
      Authorization: `Basic ${Buffer.from(user).toString('base64')}`,
    },
    body: pywbemRequest('execquery__ExecQuery1.txt', language, query),
  });
  expect(r.status).toBe(200);
  return r.text();
}

describe('ExecQuery over CIM-XML', () => {
  it('answers VALUE.OBJECTWITHPATH for the matching instances, with only the selected properties', async () => {
    const body = await execQuery(
      'WQL',
      "SELECT Name, EnabledState FROM CIM_ComputerSystem WHERE Name <> 'testhost'",
    );
    expect(body).toContain('<IMETHODRESPONSE NAME="ExecQuery"><IRETURNVALUE><VALUE.OBJECTWITHPATH>');
    expect(body.match(/<VALUE.OBJECTWITHPATH>/g)).toHaveLength(2);
    expect(body).toContain('<KEYVALUE VALUETYPE="string">vm1</KEYVALUE>');
    const props = [...body.matchAll(/<PROPERTY NAME="(\w+)"/g)].map((m) => m[1]);
    expect(new Set(props)).toEqual(new Set(['Name', 'EnabledState']));
    const running = await execQuery('DMTF:CQL', 'SELECT * FROM Vessel_ComputerSystem WHERE EnabledState = 2');
    expect(running.match(/<VALUE.OBJECTWITHPATH>/g)).toHaveLength(1);
    expect(running).toContain('<VALUE>vm2</VALUE>');
    expect(running).toContain('<PROPERTY NAME="ElementName"');
  });

  it('a reader may query; the answer is what EnumerateInstances shows them', async () => {
    const body = await execQuery(
      'WQL',
      'SELECT Name FROM CIM_ComputerSystem WHERE EnabledState = 3',
      'rita:r3ad',
    );
    expect(body.match(/<VALUE.OBJECTWITHPATH>/g)).toHaveLength(1);
    expect(body).toContain('<VALUE>vm1</VALUE>');
  });

  it('answers error 14 for another language and 15 naming the position for bad syntax', async () => {
    expect(await execQuery('SQL', 'SELECT * FROM CIM_ComputerSystem')).toMatch(
      /<ERROR CODE="14" DESCRIPTION="[^"]*SQL/,
    );
    expect(await execQuery('WQL', 'SelectSLOP * from CIM_ComputerSystem')).toMatch(
      /<ERROR CODE="15" DESCRIPTION="[^"]*position 1/,
    );
    expect(
      await execQuery('WQL', `SELECT * FROM CIM_ComputerSystem WHERE ${'('.repeat(100)}Name = 'x'`),
    ).toMatch(/<ERROR CODE="15" DESCRIPTION="[^"]*deeper than 32/);
    expect(await execQuery('WQL', 'SELECT * FROM CIM_ComputerSystem WHERE Nope = 1')).toMatch(
      /<ERROR CODE="15" DESCRIPTION="[^"]*no property &quot;Nope&quot;/,
    );
  });
});
