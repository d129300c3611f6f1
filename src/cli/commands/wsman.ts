import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type CimInstance, type CimInstanceName, parseEmbeddedInstance } from '../../cim/index.js';
import { VesselError } from '../../model/index.js';
import {
  type EnumerationFilter,
  type EnumerationItem,
  embeddedFromXml,
  WsmanClient,
} from '../../wbem/index.js';
import { markCommand } from '../connect/kinds.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { jsonValue, methodParams, path, printInstances, printPaths, valueText } from './cim-output.js';
import { type RawConnOptions, type RawProtocol, rawConnection, rawEndpoint } from './raw-endpoint.js';

interface ConnOptions extends RawConnOptions {
  wmi?: boolean;
}

const WSMAN_RAW: RawProtocol = {
  transport: 'wsman',
  speaks: 'vessel wsman speaks WS-Management',
  env: { url: 'VESSEL_WSMAN_URL', user: 'VESSEL_USER', password: 'VESSEL_PASSWORD' },
  example: '--connect wsman+http://127.0.0.1:5985 (vessel host serve --wsman-http)',
};

function connection(cmd: Command): Command {
  return rawConnection(cmd, WSMAN_RAW, 'https://host1:5986/wsman').option(
    '--wmi',
    "resource URIs in Microsoft's WMI form (http://schemas.microsoft.com/wbem/wsman/1/wmi/NS/Class)",
  );
}

/** Runs one command with a client of the WS-Man service the options name ({@link rawEndpoint}), closing it afterwards. */
async function withClient(
  o: ConnOptions,
  cmd: Command,
  fn: (c: WsmanClient) => Promise<void>,
): Promise<number> {
  const e = await rawEndpoint(o, cmd, WSMAN_RAW);
  const c = new WsmanClient(e.url, {
    user: e.user,
    password: e.password,
    namespace: o.namespace,
    ca: e.ca,
    insecure: e.insecure,
    uriStyle: o.wmi ? 'wmi' : 'dmtf',
  });
  try {
    await fn(c);
    return 0;
  } finally {
    c.close();
  }
}

/** `NAME=VALUE` pairs as an instance of `className` (repeat a NAME for a list; `NAME=@file` reads a file). */
async function propertiesOf(className: string, args: string[]): Promise<CimInstance> {
  const properties: Record<string, string | string[]> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new VesselError('USAGE', `"${a}" is not NAME=VALUE`);
    const name = a.slice(0, eq);
    let text = a.slice(eq + 1);
    if (text.startsWith('@')) text = await readFile(text.slice(1), 'utf8');
    const prev = properties[name];
    properties[name] = prev === undefined ? text : [...(Array.isArray(prev) ? prev : [prev]), text];
  }
  return { className, properties };
}

function printItems(items: EnumerationItem[], json: boolean | undefined): void {
  const instances = items.flatMap((i) => (i.instance ? [i.instance] : []));
  if (instances.length > 0 || items.length === 0) printInstances(instances, json);
  else
    printPaths(
      items.flatMap((i) => (i.name ? [i.name] : [])),
      json,
    );
}

interface EnumOptions extends ConnOptions {
  epr?: boolean;
  wql?: string;
  associatorsOf?: string;
  referencesOf?: string;
  assocClass?: string;
  resultClass?: string;
  role?: string;
  resultRole?: string;
  maxElements: string;
}

function filterOf(o: EnumOptions): EnumerationFilter | undefined {
  const object = o.associatorsOf ?? o.referencesOf;
  if (o.wql !== undefined && object !== undefined)
    throw new VesselError(
      'USAGE',
      '--wql and --associators-of/--references-of are different filters; give one',
    );
  if (o.wql !== undefined) return { wql: o.wql };
  if (object === undefined) return undefined;
  return {
    association: {
      kind: o.associatorsOf !== undefined ? 'associated' : 'associations',
      object: path(object, o.namespace),
      associationClass: o.assocClass,
      resultClass: o.resultClass,
      role: o.role,
      resultRole: o.resultRole,
    },
  };
}

registerGroup((program: Command) => {
  const wsman = markCommand(program.command('wsman'), 'cim').description(
    'Raw WS-Management operations against Vessel, WinRM or openwsman (DSP0226, DSP0227)',
  );

  connection(
    wsman
      .command('identify')
      .description('Identify: the protocol version, vendor, version and security profiles'),
  ).action(
    action((o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => {
        const id = await c.identify();
        if (o.json) return printJson(id);
        println(`vendor:   ${id.productVendor} ${id.productVersion}`);
        println(`protocol: ${id.protocolVersion}`);
        for (const p of id.securityProfiles) println(`security: ${p}`);
      }),
    ),
  );

  connection(
    wsman.command('get <path>').description('Get of an instance by object path, e.g. Class.Key="value"'),
  ).action(
    action((p: string, o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => printInstances([await c.getInstance(path(p, o.namespace))], o.json)),
    ),
  );

  connection(
    wsman
      .command('enum [class]')
      .description(
        'Enumerate and Pull the instances of a class, or those a WQL or association filter selects',
      ),
  )
    .option('--epr', 'only the endpoint references (EnumerateEPR)')
    .option('--wql <query>', 'a WQL filter, e.g. "SELECT * FROM CIM_ComputerSystem WHERE Name = \'vm1\'"')
    .option('--associators-of <path>', 'the instances associated with this one (DSP0227 association filter)')
    .option('--references-of <path>', 'the associations that refer to this one')
    .option('--assoc-class <class>', 'only through this association class')
    .option('--result-class <class>', 'only objects of this class')
    .option('--role <role>', 'the object’s role in the association')
    .option('--result-role <role>', 'the other end’s role')
    .option('--max-elements <n>', 'items per answer (MaxElements)', '100')
    .action(
      action((cls: string | undefined, o: EnumOptions, cmd: Command) =>
        withClient(o, cmd, async (c) => {
          const filter = filterOf(o);
          if (cls === undefined && filter === undefined)
            throw new VesselError(
              'USAGE',
              'Give a class, or a filter (--wql, --associators-of, --references-of)',
            );
          const max = Number(o.maxElements);
          if (!Number.isSafeInteger(max) || max < 1)
            throw new VesselError(
              'USAGE',
              `--max-elements must be a whole number from 1, not "${o.maxElements}"`,
            );
          const items = await c.enumerateAll(filter === undefined ? cls : undefined, {
            mode: o.epr ? 'epr' : 'objectAndEpr',
            filter,
            maxElements: max,
          });
          printItems(items, o.json);
        }),
      ),
    );

  connection(
    wsman
      .command('invoke <path> <method> [params...]')
      .description(
        'a custom action (<ResourceURI>/<Method>); parameters NAME=VALUE typed from the class (NAME=@file reads a file, repeat a NAME for arrays)',
      ),
  ).action(
    action((p: string, method: string, params: string[], o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => {
        const target = path(p, o.namespace);
        const typed = await methodParams((n, ns) => c.getClass(n, ns), target, method, params, o.namespace);
        // Embedded instances given as CIM-XML or MOF text go as the elements of their class.
        for (const v of Object.values(typed))
          if (
            v.type === 'string' &&
            typeof v.value === 'string' &&
            /^\s*(<INSTANCE|instance of)/i.test(v.value)
          )
            v.value = parseEmbeddedInstance(v.value, embeddedFromXml);
        const r = await c.invoke(target, method, typed);
        if (o.json)
          return printJson({
            returnValue: r.returnValue,
            out: Object.fromEntries(Object.entries(r.out).map(([k, v]) => [k, jsonValue(v)])),
          });
        println(`${method}: ${r.returnValue}`);
        for (const [k, v] of Object.entries(r.out)) if (v !== undefined) println(`  ${k}=${valueText(v)}`);
      }),
    ),
  );

  connection(
    wsman
      .command('put <path> <properties...>')
      .description(
        'Put: change the properties NAME=VALUE of an instance (only those), and print it as it is then',
      ),
  ).action(
    action((p: string, props: string[], o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => {
        const name: CimInstanceName = path(p, o.namespace);
        printInstances([await c.putInstance(name, await propertiesOf(name.className, props))], o.json);
      }),
    ),
  );
});
