import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SHARED } from '../../../test/helpers/cli.js';
import {
  CimError,
  type CimInstance,
  type CimInstanceName,
  ClassRepository,
  createClassRepository,
  isInstanceName,
  newContext,
  ObjectManager,
  parseMof,
  parseObjectPath,
} from '../../cim/index.js';
import { decodeRequest } from './decode-request.js';
import { type CimXmlResponse, decodeResponse, type ReturnItem } from './decode-response.js';
import { dispatch } from './dispatch.js';
import { createDispatcher } from './dispatcher.js';
import { CimXmlError } from './errors.js';
import { checkHeadersMatch } from './headers.js';
import { expectShape } from './response-shape.js';

const WIRE = join(SHARED, 'cim', 'wire');

interface Exchange {
  name: string;
  headers: Record<string, string>;
  request: string;
  status: number;
  response: string;
}

/** Reads one pywbem example file: request headers and body, response status and body. */
function readExchange(file: string): Exchange {
  const text = readFileSync(file, 'utf8');
  const [reqPart, rspPart = ''] = text.split('==== RESPONSE ====');
  const req = reqPart!.split('==== REQUEST ====')[1]!.replace(/^\n/, '');
  const [reqHead, ...reqBody] = req.split('\n\n');
  const headers: Record<string, string> = {};
  for (const l of reqHead!.split('\n').slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const rsp = rspPart.replace(/^\n/, '');
  const [rspHead = '', ...rspBody] = rsp.split('\n\n');
  const status = Number(/HTTP status (\d+)/.exec(rspHead)?.[1] ?? 0);
  return {
    name: file,
    headers,
    request: reqBody.join('\n\n').trim(),
    status,
    response: rspBody.join('\n\n').trim(),
  };
}

const examples = readdirSync(join(WIRE, 'cimxml-examples'))
  .filter((f) => f.endsWith('.txt'))
  .map((f) => readExchange(join(WIRE, 'cimxml-examples', f)));

describe('pywbem function-test requests (../shared/cim/wire/cimxml-examples)', () => {
  const operations = examples.filter((e) => e.request.includes('<SIMPLEREQ>'));

  it('decode every operation request and agree with its CIMMethod and CIMObject headers', () => {
    expect(operations.length).toBeGreaterThan(380);
    const methods = new Set<string>();
    for (const e of operations) {
      const call = decodeRequest(e.request);
      methods.add(call.method);
      checkHeadersMatch(
        { method: e.headers.cimmethod!, object: decodeURIComponent(e.headers.cimobject!) },
        call,
      );
    }
    for (const m of [
      'GetInstance',
      'EnumerateInstances',
      'Associators',
      'OpenEnumerateInstances',
      'PullInstancesWithPath',
    ])
      expect(methods).toContain(m);
  });

  it('decode every response as a client: good ones, CIM errors with their status, and refuse the broken ones', () => {
    const counts = { ok: 0, cimErrors: 0, refused: 0 };
    for (const e of examples) {
      if (
        e.status !== 200 ||
        !e.response.includes('<SIMPLERSP>') ||
        /invalid|networkerror|headers__/.test(e.name)
      )
        continue;
      // pywbem names its negative cases F<n>, E<n>, Error<n>: the response is broken and must be refused.
      const negative = /__\w*?(F\d|Error\d|E\d|Error\.)/.test(e.name);
      const extrinsic = /<METHODCALL NAME="(\w+)"/.exec(e.request)?.[1];
      const classLevel = /NAME="ObjectName">\s*<CLASSNAME/.test(e.request);
      try {
        expectShape(extrinsic ? 'InvokeMethod' : e.headers.cimmethod!, decodeResponse(e.response), {
          extrinsic,
          classLevel,
        });
        expect(negative, e.name).toBe(false);
        counts.ok++;
      } catch (err) {
        if (err instanceof CimError) {
          expect(err.status, e.name).toBe(Number(/<ERROR CODE="(\d+)"/.exec(e.response)?.[1]));
          counts.cimErrors++;
        } else {
          expect(err, e.name).toBeInstanceOf(CimXmlError);
          expect(negative, `${e.name}: ${(err as Error).message}`).toBe(true);
          counts.refused++;
        }
      }
    }
    expect(counts.ok).toBeGreaterThan(200);
    expect(counts.cimErrors).toBeGreaterThan(20);
    expect(counts.refused).toBeGreaterThan(40);
  });
});

/** A dispatcher over the pywbem fixture classes and instances, as the recorded servers had them. */
function fixtureDispatcher(received: CimInstance[]) {
  const mof = readFileSync(join(ROOT, 'test', 'fixtures', 'cim', 'pywbem-person.mof'), 'utf8');
  const repo = ClassRepository.fromMof(mof, {
    'root/cimv2': [
      'PyWBEM_Person',
      'PyWBEM_PersonCollection',
      'PyWBEM_MemberOfPersonCollection',
      'PyWBEM_Address',
    ],
    'test/TestProvider': ['Test_IndicationProviderClass'],
  });
  const om = new ObjectManager(repo);
  const ns = repo.namespace('root/cimv2');
  const byClass = new Map<string, CimInstance[]>();
  for (const m of parseMof(mof).instances) {
    const cls = ns.require(m.className);
    const props: CimInstance['properties'] = {};
    for (const [k, v] of Object.entries(m.properties))
      props[k] =
        cls.propertyIndex.get(k.toLowerCase())?.type === 'reference' ? parseObjectPath(v as string) : v;
    byClass.set(m.className, [
      ...(byClass.get(m.className) ?? []),
      { className: m.className, properties: props },
    ]);
  }
  for (const [className, list] of byClass)
    om.register('root/cimv2', {
      className,
      enumerate: () => list.map((i) => ({ ...i, path: undefined })),
      invoke: async (_ctx, _t, _m, params) => {
        received.push(params.ModifiedAddress as CimInstance);
        return { returnValue: 0, out: {} };
      },
    });
  om.register('test/TestProvider', {
    className: 'Test_IndicationProviderClass',
    enumerate: () => [],
    invoke: async () => ({ returnValue: 0, out: {} }),
  });
  return createDispatcher(om, 'sheldon');
}

function normPath(p: CimInstanceName): unknown {
  const keys: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.keys)) keys[k.toLowerCase()] = isInstanceName(v) ? normPath(v) : v;
  return { className: p.className.toLowerCase(), keys };
}

function normItem(i: ReturnItem): unknown {
  if (i.kind === 'path') return { path: normPath(i.path) };
  if (i.kind !== 'instance') return i;
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.instance.properties))
    if (v !== undefined) props[k] = isInstanceName(v) ? normPath(v) : v;
  return {
    className: i.instance.className,
    path: i.instance.path ? normPath(i.instance.path) : undefined,
    props,
  };
}

function outcome(xml: string): { error?: number; r?: CimXmlResponse } {
  try {
    return { r: decodeResponse(xml) };
  } catch (e) {
    if (e instanceof CimError) return { error: e.status };
    throw e;
  }
}

describe('the curated pywbem exchanges (../shared/cim/wire/curated), replayed against Vessel', () => {
  const curated = [
    '01-EnumerateInstances',
    '02-EnumerateInstanceNames',
    '03b-GetInstance-error',
    '04a-Associators',
    '04b-AssociatorNames',
    '04c-References',
    '04d-ReferenceNames',
    '05a-InvokeMethod-instance-path-embedded-instance',
    '05b-InvokeMethod-static',
    '07-EnumerateClassNames',
    '08a-OpenEnumerateInstances',
  ];
  it.each(curated)('%s is answered as the recorded server answered it', async (name) => {
    const e = readExchange(join(WIRE, 'curated', `${name}.txt`));
    const received: CimInstance[] = [];
    const d = fixtureDispatcher(received);
    // pywbem's SetAddress case names PyWBEM_Person by Name only; the fixture class has both keys of the others.
    // The 08a recording's mock server answers an Open without MaxObjectCount in full; DSP0200 §5.3.2.22 defaults
    // it to 0 (no instances, a context to pull: pull.test.ts), so the replay asks for 100, as pywbem's iter* do.
    const request = name.startsWith('05a')
      ? e.request.replace(
          '<KEYBINDING NAME="Name">',
          '<KEYBINDING NAME="CreationClassName"><KEYVALUE>PyWBEM_Person</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name">',
        )
      : name.startsWith('08a')
        ? e.request.replace(
            '</IMETHODCALL>',
            '<IPARAMVALUE NAME="MaxObjectCount"><VALUE>100</VALUE></IPARAMVALUE></IMETHODCALL>',
          )
        : e.request;
    const ours = outcome(await dispatch(d, decodeRequest(request), newContext('t', 'admin')));
    const theirs = outcome(e.response);
    expect(ours.error).toBe(theirs.error);
    if (theirs.error !== undefined) return;
    // The 08a recording came from a server holding two of the three persons the other recordings show.
    if (name.startsWith('08a'))
      expect(ours.r!.items.map(normItem)).toEqual(expect.arrayContaining(theirs.r!.items.map(normItem)));
    else expect(ours.r!.items.map(normItem)).toEqual(theirs.r!.items.map(normItem));
    // pywbem's server writes EndOfSequence without PARAMTYPE (TRUE); Vessel types it boolean (read as true).
    for (const [k, v] of Object.entries(theirs.r!.params))
      expect(String(ours.r!.params[k]).toLowerCase(), k).toEqual(
        k === 'EnumerationContext' ? '' : String(v).toLowerCase(),
      );
    if (theirs.r!.returnValue !== undefined) expect(ours.r!.returnValue).toBe(theirs.r!.returnValue);
    if (name.startsWith('05a'))
      expect(received[0]).toEqual({
        className: 'PyWBEM_Address',
        properties: { Street: 'Fritz Ave', Town: 'Fritz Town' },
      });
  });

  it('06-GetClass: CIM_ComputerSystem with a PropertyList has the same property, methods and parameters', async () => {
    const e = readExchange(join(WIRE, 'curated', '06-GetClass.txt'));
    const om = new ObjectManager(createClassRepository());
    const d = createDispatcher(om, 'h');
    const req = e.request.replace('<NAMESPACE NAME="cimv2"/>', '<NAMESPACE NAME="virtualization"/>');
    const ours = decodeResponse(await dispatch(d, decodeRequest(req), newContext('t', 'reader')));
    const theirs = decodeResponse(e.response);
    const shape = (r: CimXmlResponse) => {
      const c = r.items[0]!;
      if (c.kind !== 'class') throw new Error('no class');
      return {
        name: c.decl.name,
        superClass: c.decl.superClass,
        properties: c.decl.properties.map((p) => `${p.name}:${p.type}${p.isArray ? '[]' : ''}`),
        methods: c.decl.methods.map((m) => ({
          name: m.name,
          type: m.returnType,
          params: m.parameters.map((p) => `${p.name}:${p.type}:${p.referenceClass ?? ''}`),
          inOut: m.parameters.map((p) =>
            p.qualifiers
              .filter((q) => /^(in|out)$/i.test(q.name))
              .map((q) => `${q.name.toUpperCase()}=${q.value}`),
          ),
        })),
      };
    };
    expect(shape(ours)).toEqual(shape(theirs));
  });
});
