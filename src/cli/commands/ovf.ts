import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseSize } from '../../model/index.js';
import * as ovf from '../../ovf/index.js';
import { ExitCode, exitCodeFor } from '../exit.js';
import { readInput, writeAtomic } from '../files.js';
import { action, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';
import { printInfo, readDescriptor } from './ovf-info.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The OVF version a descriptor declares, as `vessel ovf validate --json` reports it. */
function ovfVersionOf(env: ovf.OvfEnvelope): string {
  if (env.generation === '0.9') return '0.9';
  return env.version ?? (env.generation === '2' ? '2.0' : '1.0');
}

registerGroup((program: Command) => {
  const cmd = program.command('ovf').description('Read, validate, author and edit OVF descriptors');

  cmd
    .command('validate')
    .description('Validate descriptors (exit 0: no errors, 1: errors, 2: unreadable or not well-formed XML)')
    .argument('<file...>', 'OVF descriptors')
    .option('--json', 'one JSON object per file per line')
    .option('--lax', 'report portability issues as warnings, as ovftool --lax does')
    .option('--target <platform>', 'also warn about what this platform rejects: vmware, virtualbox or qemu')
    .action(
      action(async (files: string[], opts: { json?: boolean; lax?: boolean; target?: string }) => {
        const target = opts.target;
        if (target !== undefined && !['vmware', 'virtualbox', 'qemu'].includes(target)) {
          throw new ovf.OvfError('OVF_EDIT', `Unknown --target "${target}": use vmware, virtualbox or qemu`);
        }
        let worst: number = ExitCode.Ok;
        for (const file of files) {
          let result: { valid: boolean; ovfVersion?: string; diagnostics: ovf.OvfDiagnostic[]; code: number };
          try {
            const env = ovf.parseOvf(await readInput(file), { file });
            const diagnostics = ovf.validateOvf(env, {
              file,
              ...(opts.lax ? { lax: true } : {}),
              ...(target ? { target: target as 'vmware' | 'virtualbox' | 'qemu' } : {}),
            });
            const valid = !diagnostics.some((d) => d.severity === 'error');
            result = {
              valid,
              ovfVersion: ovfVersionOf(env),
              diagnostics,
              code: valid ? ExitCode.Ok : ExitCode.Failed,
            };
          } catch (e) {
            const err = e as ovf.OvfError;
            const d: ovf.OvfDiagnostic = {
              code: err.code ?? 'INTERNAL',
              severity: 'error',
              message: err.message,
              ...(err.location?.line !== undefined ? { line: err.location.line } : {}),
              ...(err.location?.column !== undefined ? { column: err.location.column } : {}),
            };
            result = {
              valid: false,
              diagnostics: [d],
              code: exitCodeFor(e) === ExitCode.Failed ? ExitCode.Failed : ExitCode.Usage,
            };
          }
          worst = Math.max(worst, result.code);
          if (opts.json) {
            printJson({
              file,
              valid: result.valid,
              ovfVersion: result.ovfVersion ?? null,
              diagnostics: result.diagnostics.map((d) => ({
                code: d.code,
                severity: d.severity,
                line: d.line ?? null,
                column: d.column ?? null,
                message: d.message,
                ...(d.hint ? { hint: d.hint } : {}),
              })),
            });
          } else {
            for (const d of result.diagnostics) {
              const where =
                d.line === undefined
                  ? file
                  : `${file}:${d.line}${d.column === undefined ? '' : `:${d.column}`}`;
              println(`${where}: ${d.severity} ${d.code}: ${d.message}`);
              if (d.hint) println(`  hint: ${d.hint}`);
            }
            const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
            const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
            println(
              `${file}: ${result.valid ? 'valid' : 'INVALID'} (${errors} error(s), ${warnings} warning(s))`,
            );
          }
        }
        return worst;
      }),
    );

  cmd
    .command('info')
    .description(
      'Summarise a descriptor or OVA: systems, hardware per configuration, disks, networks, properties, files',
    )
    .argument('<file>', 'an .ovf descriptor or an .ova package')
    .option('--json', 'print JSON')
    .action(
      action(async (file: string, opts: { json?: boolean }) => {
        const env = await readDescriptor(file);
        const info = ovf.ovfInfo(env);
        if (opts.json) printJson(info);
        else printInfo(basename(file), info);
        return ExitCode.Ok;
      }),
    );

  cmd
    .command('format')
    .description('Parse a descriptor and write it back to stdout (unknown content is kept; 0.9 becomes 1.0)')
    .argument('<file>', 'an .ovf descriptor')
    .action(
      action(async (file: string) => {
        process.stdout.write(ovf.formatOvf(ovf.parseOvf(await readInput(file), { file })));
        return ExitCode.Ok;
      }),
    );

  cmd
    .command('new')
    .description('Author a new descriptor for one virtual machine')
    .argument('<name>', 'the virtual system name and id')
    .requiredOption('-o, --output <file>', 'where to write the descriptor')
    .option('--cpus <n>', 'virtual CPUs', '1')
    .option('--memory <size>', 'memory, e.g. 512M or 2G', '512M')
    .option('--ovf-version <v>', '1.0 or 2.0', '1.0')
    .option('--os-id <n>', 'CIM_OperatingSystem.OsType of the guest (DSP0243 §9.7)', '1')
    .option('--os <text>', 'description of the guest operating system')
    .action(
      action(
        async (
          name: string,
          o: { output: string; cpus: string; memory: string; ovfVersion: string; osId: string; os?: string },
        ) => {
          if (o.ovfVersion !== '1.0' && o.ovfVersion !== '2.0')
            throw new ovf.OvfError('OVF_EDIT', `--ovf-version must be 1.0 or 2.0, not "${o.ovfVersion}"`);
          const env = ovf.createEnvelope({
            name,
            cpus: Number(o.cpus),
            memoryBytes: parseSize(o.memory),
            generation: o.ovfVersion === '2.0' ? '2' : '1',
            osId: o.osId,
            ...(o.os ? { osDescription: o.os } : {}),
          });
          await writeAtomic(o.output, ovf.formatOvf(env));
          return ExitCode.Ok;
        },
      ),
    );

  cmd
    .command('edit')
    .description('Edit a descriptor in place (or to -o), keeping everything else intact')
    .argument('<file>', 'an .ovf descriptor')
    .option('-o, --output <file>', 'write here instead of editing in place')
    .option('--system <id>', 'the VirtualSystem to edit (default: the first)')
    .option('--config <id>', 'apply hardware changes to this deployment option only')
    .option('--product <text>', 'product name')
    .option('--vendor <text>', 'vendor')
    .option('--product-version <text>', 'product version')
    .option('--full-version <text>', 'full product version')
    .option('--product-url <url>', 'product URL')
    .option('--vendor-url <url>', 'vendor URL')
    .option('--app-url <url>', 'application URL')
    .option('--cpus <n>', 'virtual CPU count')
    .option('--memory <size>', 'memory, e.g. 512M or 2G')
    .option('--network <name[=description]>', 'add a logical network (repeatable)', collect)
    .option('--nic <network[:model]>', 'add a NIC on a network, e.g. lan:virtio (repeatable)', collect)
    .option('--nic-network <network>', 'connect every NIC to this network')
    .option('--disk <file>', 'add a disk file (its size is recorded; give --disk-capacity)')
    .option('--disk-capacity <size>', 'capacity of the added disk, e.g. 8G')
    .option('--blank-disk <size>', 'add an empty disk of this capacity, created at deploy')
    .option('--remove-disk <diskId>', 'remove a disk, its item and its file')
    .option('--property <key=value>', 'set a property value (repeatable)', collect)
    .option('--property-type <key=type>', 'set or give the type of a property (repeatable)', collect)
    .option('--property-qualifiers <key=qualifiers>', 'e.g. "ip=MinLen(7) MaxLen(15)" (repeatable)', collect)
    .option('--property-label <key=text>', 'label of a property (repeatable)', collect)
    .option('--property-description <key=text>', 'description of a property (repeatable)', collect)
    .option('--user-configurable <key>', 'mark a property user-configurable (repeatable)', collect)
    .option('--password <key>', 'mark a property as a password (repeatable)', collect)
    .option('--remove-property <key>', 'remove a property (repeatable)', collect)
    .option('--add-config <id[=label]>', 'add a deployment option (repeatable)', collect)
    .option('--default-config <id>', 'make this deployment option the default')
    .option('--remove-config <id>', 'remove a deployment option and the items only it used')
    .option('--annotation <text>', 'set the annotation ("" removes it)')
    .option('--eula-file <file>', 'set the EULA from a text file')
    .action(action(async (file: string, o: EditOptions) => editCommand(file, o)));
});

interface EditOptions {
  output?: string;
  system?: string;
  config?: string;
  product?: string;
  vendor?: string;
  productVersion?: string;
  fullVersion?: string;
  productUrl?: string;
  vendorUrl?: string;
  appUrl?: string;
  cpus?: string;
  memory?: string;
  network?: string[];
  nic?: string[];
  nicNetwork?: string;
  disk?: string;
  diskCapacity?: string;
  blankDisk?: string;
  removeDisk?: string;
  property?: string[];
  propertyType?: string[];
  propertyQualifiers?: string[];
  propertyLabel?: string[];
  propertyDescription?: string[];
  userConfigurable?: string[];
  password?: string[];
  removeProperty?: string[];
  addConfig?: string[];
  defaultConfig?: string;
  removeConfig?: string;
  annotation?: string;
  eulaFile?: string;
}

function pairs(list: string[] | undefined, what: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of list ?? []) {
    const i = s.indexOf('=');
    if (i <= 0) throw new ovf.OvfError('OVF_EDIT', `${what} "${s}" must be KEY=VALUE`);
    m.set(s.slice(0, i), s.slice(i + 1));
  }
  return m;
}

async function editCommand(file: string, o: EditOptions): Promise<number> {
  const { stat } = await import('node:fs/promises');
  const env = ovf.parseOvf(await readInput(file), { file });
  const sys = ovf.targetSystem(env, o.system);
  const product: ovf.ProductFields = {};
  if (o.product !== undefined) product.product = o.product;
  if (o.vendor !== undefined) product.vendor = o.vendor;
  if (o.productVersion !== undefined) product.version = o.productVersion;
  if (o.fullVersion !== undefined) product.fullVersion = o.fullVersion;
  if (o.productUrl !== undefined) product.productUrl = o.productUrl;
  if (o.vendorUrl !== undefined) product.vendorUrl = o.vendorUrl;
  if (o.appUrl !== undefined) product.appUrl = o.appUrl;
  if (Object.keys(product).length) ovf.setProduct(sys, product);

  if (o.cpus !== undefined) ovf.setCpus(sys, Number(o.cpus), o.config, env);
  if (o.memory !== undefined) ovf.setMemory(sys, parseSize(o.memory), o.config, env);
  for (const n of o.network ?? []) {
    const [name = '', desc] = n.split('=', 2);
    ovf.addNetwork(env, name, desc);
  }
  for (const n of o.nic ?? []) {
    const [net = '', model] = n.split(':', 2);
    ovf.addNic(env, sys, net, model ?? 'E1000', o.config);
  }
  if (o.nicNetwork !== undefined) ovf.setNicNetwork(env, sys, o.nicNetwork);
  if (o.removeDisk !== undefined) ovf.removeDisk(env, o.removeDisk);
  if (o.disk !== undefined) {
    if (o.diskCapacity === undefined)
      throw new ovf.OvfError('OVF_EDIT', '--disk needs --disk-capacity (the virtual size of the disk)');
    const size = (await stat(o.disk).catch(() => undefined))?.size;
    ovf.addDisk(env, sys, {
      href: basename(o.disk),
      capacityBytes: parseSize(o.diskCapacity),
      ...(size === undefined ? {} : { fileSize: BigInt(size) }),
    });
  }
  if (o.blankDisk !== undefined) ovf.addDisk(env, sys, { capacityBytes: parseSize(o.blankDisk) });

  const types = pairs(o.propertyType, '--property-type');
  const values = pairs(o.property, '--property');
  const quals = pairs(o.propertyQualifiers, '--property-qualifiers');
  const labels = pairs(o.propertyLabel, '--property-label');
  const descs = pairs(o.propertyDescription, '--property-description');
  const keys = new Set([
    ...types.keys(),
    ...values.keys(),
    ...quals.keys(),
    ...labels.keys(),
    ...descs.keys(),
    ...(o.userConfigurable ?? []),
    ...(o.password ?? []),
  ]);
  for (const key of keys) {
    const f: ovf.PropertyFields = {};
    const t = types.get(key);
    if (t !== undefined) f.type = t;
    const v = values.get(key);
    if (v !== undefined) f.value = v;
    const q = quals.get(key);
    if (q !== undefined) f.qualifiers = q;
    const l = labels.get(key);
    if (l !== undefined) f.label = l;
    const d = descs.get(key);
    if (d !== undefined) f.description = d;
    if (o.userConfigurable?.includes(key)) f.userConfigurable = true;
    if (o.password?.includes(key)) f.password = true;
    ovf.setProperty(sys, key, f);
  }
  for (const k of o.removeProperty ?? []) ovf.removeProperty(sys, k);
  for (const c of o.addConfig ?? []) {
    const [id = '', label] = c.split('=', 2);
    ovf.setConfiguration(env, id, label === undefined ? {} : { label });
  }
  if (o.defaultConfig !== undefined) ovf.setConfiguration(env, o.defaultConfig, { default: true });
  if (o.removeConfig !== undefined) ovf.removeConfiguration(env, o.removeConfig);
  if (o.annotation !== undefined) ovf.setAnnotation(sys, o.annotation);
  if (o.eulaFile !== undefined) ovf.setEula(sys, (await readInput(o.eulaFile)).toString('utf8'));

  await writeAtomic(o.output ?? file, ovf.formatOvf(env));
  return ExitCode.Ok;
}
