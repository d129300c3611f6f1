import type { Command } from 'commander';
import { CimClient } from '../../wbem/index.js';
import { markCommand } from '../connect/kinds.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { registerListen } from './cim-listen.js';
import { jsonValue, methodParams, path, printInstances, printPaths, valueText } from './cim-output.js';
import { type RawConnOptions, type RawProtocol, rawConnection, rawEndpoint } from './raw-endpoint.js';

type ConnOptions = RawConnOptions;

const CIMXML_RAW: RawProtocol = {
  transport: 'cimxml',
  speaks: 'vessel cim speaks CIM-XML',
  env: { url: 'VESSEL_CIM_URL', user: 'VESSEL_CIM_USER', password: 'VESSEL_CIM_PASSWORD' },
  example: '--connect http://127.0.0.1:5988 (vessel host serve --cim-http)',
};

function connection(cmd: Command): Command {
  return rawConnection(cmd, CIMXML_RAW, 'https://host1:5989');
}

/** Runs one command with a client of the CIM server the options name ({@link rawEndpoint}), closing it afterwards. */
async function withClient(
  o: ConnOptions,
  cmd: Command,
  fn: (c: CimClient) => Promise<void>,
): Promise<number> {
  const e = await rawEndpoint(o, cmd, CIMXML_RAW);
  const c = new CimClient(e.url, {
    user: e.user,
    password: e.password,
    namespace: o.namespace,
    ca: e.ca,
    insecure: e.insecure,
  });
  try {
    await fn(c);
    return 0;
  } finally {
    c.close();
  }
}

registerGroup((program: Command) => {
  const cim = markCommand(program.command('cim'), 'cim').description(
    'Raw CIM-XML operations against Vessel or any other WBEM server (DSP0200)',
  );

  registerListen(cim);

  connection(
    cim.command('ei <class>').description('EnumerateInstances (with --names: EnumerateInstanceNames)'),
  )
    .option('--names', 'only the instance names')
    .action(
      action((cls: string, o: ConnOptions & { names?: boolean }, cmd: Command) =>
        withClient(o, cmd, async (c) => {
          if (o.names) printPaths(await c.enumerateInstanceNames(cls), o.json);
          else printInstances(await c.enumerateInstances(cls), o.json);
        }),
      ),
    );

  connection(
    cim.command('gi <path>').description('GetInstance of an object path such as Class.Key="value"'),
  ).action(
    action((p: string, o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => printInstances([await c.getInstance(path(p, o.namespace))], o.json)),
    ),
  );

  connection(
    cim.command('gc <class>').description('GetClass: properties, keys and methods with their parameters'),
  ).action(
    action((cls: string, o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => {
        const d = await c.getClass(cls);
        if (o.json) return printJson(d);
        println(`class ${d.name}${d.superClass ? ` : ${d.superClass}` : ''}`);
        for (const p of d.properties)
          println(
            `  ${p.qualifiers.some((q) => q.name === 'Key') ? 'key ' : ''}${p.type === 'reference' ? `${p.referenceClass} REF` : p.type}${p.isArray ? '[]' : ''} ${p.name}`,
          );
        for (const m of d.methods)
          println(
            `  ${m.returnType} ${m.name}(${m.parameters.map((p) => `${p.type === 'reference' ? `${p.referenceClass} REF` : p.type}${p.isArray ? '[]' : ''} ${p.name}`).join(', ')})`,
          );
      }),
    ),
  );

  connection(cim.command('ai <path>').description('Associators of an object (with --names: AssociatorNames)'))
    .option('--assoc-class <class>', 'only through this association class')
    .option('--result-class <class>', 'only objects of this class')
    .option('--role <role>', 'the object’s role in the association')
    .option('--result-role <role>', 'the other end’s role')
    .option('--names', 'only the object names')
    .action(
      action(
        (
          p: string,
          o: ConnOptions & {
            assocClass?: string;
            resultClass?: string;
            role?: string;
            resultRole?: string;
            names?: boolean;
          },
          cmd: Command,
        ) =>
          withClient(o, cmd, async (c) => {
            const f = {
              assocClass: o.assocClass,
              resultClass: o.resultClass,
              role: o.role,
              resultRole: o.resultRole,
            };
            if (o.names) printPaths(await c.associatorNames(path(p, o.namespace), f), o.json);
            else printInstances(await c.associators(path(p, o.namespace), f), o.json);
          }),
      ),
    );

  connection(cim.command('ri <path>').description('References to an object (with --names: ReferenceNames)'))
    .option('--assoc-class <class>', 'only this association class')
    .option('--role <role>', 'the object’s role in the association')
    .option('--names', 'only the association names')
    .action(
      action(
        (p: string, o: ConnOptions & { assocClass?: string; role?: string; names?: boolean }, cmd: Command) =>
          withClient(o, cmd, async (c) => {
            const f = { assocClass: o.assocClass, role: o.role };
            if (o.names) printPaths(await c.referenceNames(path(p, o.namespace), f), o.json);
            else printInstances(await c.references(path(p, o.namespace), f), o.json);
          }),
      ),
    );

  connection(
    cim
      .command('invoke <path> <method> [params...]')
      .description(
        'an extrinsic method; parameters NAME=VALUE typed from the class (NAME=@file reads a file, repeat a NAME for arrays)',
      ),
  ).action(
    action((p: string, method: string, params: string[], o: ConnOptions, cmd: Command) =>
      withClient(o, cmd, async (c) => {
        const target = path(p, o.namespace);
        const r = await c.invokeMethod(
          target,
          method,
          await methodParams(
            (n, ns) => c.getClass(n, { namespace: ns }),
            target,
            method,
            params,
            c.namespace,
          ),
        );
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
});
