import { rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseSize, VesselError } from '../../model/index.js';
import { loadSigner, type OvaSigner, rewriteOva } from '../../ova/index.js';
import * as ovf from '../../ovf/index.js';
import { ExitCode } from '../exit.js';
import { readInput, writeAtomic } from '../files.js';
import { action, printJson, println } from '../output.js';
import { type ConfigOptions, configOptions, injectConfig } from './ovf-edit-config.js';
import {
  type DeviceOptions,
  deleteOtherConfigurations,
  deviceOptions,
  editDevices,
} from './ovf-edit-devices.js';
import { type DiskImageOptions, diskImageOptions, editDiskImages } from './ovf-edit-disks.js';
import { editFiles, type FileOptions, fileOptions, placeBeside } from './ovf-edit-files.js';
import { isPackage, readDescriptor } from './ovf-info.js';

/** `vessel ovf edit`: COT-style edits of a descriptor, each repeatable option keeping all its values. */

class UsageError extends VesselError<'USAGE'> {}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Registers `ovf edit` on the `ovf` command group. */
export function registerOvfEdit(cmd: Command): void {
  const edit = cmd
    .command('edit')
    .description(
      'Edit a descriptor in place (or to -o), keeping everything else intact; an edit that would make it invalid is refused',
    )
    .argument('<file>', 'an .ovf descriptor, or an .ova package (written again with a fresh manifest)')
    .option('-o, --output <file>', 'write here instead of editing in place')
    .option(
      '--key <key.pem>',
      'for an OVA: sign the new manifest with this RSA key (else a signature is dropped)',
    )
    .option('--cert <cert.pem>', 'for an OVA: the signing certificate (default: the one in the key file)')
    .option('--json', 'print the edited package as ovf info --json does (with the file written)')
    .option('--system <id>', 'the VirtualSystem to edit (default: the first)', collect)
    .option('--config <id>', 'apply hardware changes to this deployment option only (repeatable)', collect)
    .option('--product <text>', 'product name', collect)
    .option('--vendor <text>', 'vendor', collect)
    .option('--product-version <text>', 'product version', collect)
    .option('--full-version <text>', 'full product version', collect)
    .option('--product-url <url>', 'product URL', collect)
    .option('--vendor-url <url>', 'vendor URL', collect)
    .option('--app-url <url>', 'application URL', collect)
    .option('--cpus <n>', 'virtual CPU count', collect)
    .option('--memory <size>', 'memory, e.g. 512M or 2G', collect)
    .option('--network <name[=description]>', 'add a logical network (repeatable)', collect)
    .option(
      '--nic <network[:model]>',
      'add a NIC on a network, e.g. lan:virtio or lan:VmxNet3 (repeatable)',
      collect,
    )
    .option(
      '--nic-network <network>',
      'connect NICs to a network: once for every NIC, or repeated for NIC 1, 2, ... in order',
      collect,
    )
    .option(
      '--disk <file>',
      'reference a disk file as it is (repeatable; give a --disk-capacity for each; --add-disk reads the image)',
      collect,
    )
    .option('--disk-capacity <size>', 'capacity of each added --disk, in order, e.g. 8G', collect)
    .option(
      '--blank-disk <size>',
      'add an empty disk of this capacity, created at deploy (repeatable)',
      collect,
    )
    .option('--remove-disk <diskId>', 'remove a disk, its item and its file (repeatable)', collect)
    .option('--property <key=value>', 'set a property value (repeatable)', collect)
    .option('--property-type <key=type>', 'set or give the type of a property (repeatable)', collect)
    .option('--property-qualifiers <key=qualifiers>', 'e.g. "ip=MinLen(7) MaxLen(15)" (repeatable)', collect)
    .option('--property-label <key=text>', 'label of a property (repeatable)', collect)
    .option('--property-description <key=text>', 'description of a property (repeatable)', collect)
    .option('--user-configurable <key>', 'mark a property user-configurable (repeatable)', collect)
    .option('--password <key>', 'mark a property as a password (repeatable)', collect)
    .option('--remove-property <key>', 'remove a property (repeatable)', collect)
    .option('--add-config <id[=label]>', 'add a deployment option (repeatable)', collect)
    .option('--default-config <id>', 'make this deployment option the default', collect)
    .option(
      '--remove-config <id>',
      'remove a deployment option and the items only it used (repeatable)',
      collect,
    )
    .option('--annotation <text>', 'set the annotation ("" removes it)', collect)
    .option('--eula-file <file>', 'set the EULA from a text file', collect);
  deviceOptions(configOptions(diskImageOptions(fileOptions(edit)))).action(
    action(async (file: string, o: EditOptions) => editCommand(file, o)),
  );
}

type Many = string[] | undefined;

interface EditOptions extends FileOptions, DiskImageOptions, ConfigOptions, DeviceOptions {
  output?: string;
  json?: boolean;
  key?: string;
  cert?: string;
  system?: Many;
  config?: Many;
  product?: Many;
  vendor?: Many;
  productVersion?: Many;
  fullVersion?: Many;
  productUrl?: Many;
  vendorUrl?: Many;
  appUrl?: Many;
  cpus?: Many;
  memory?: Many;
  network?: Many;
  nic?: Many;
  nicNetwork?: Many;
  disk?: Many;
  diskCapacity?: Many;
  blankDisk?: Many;
  removeDisk?: Many;
  property?: Many;
  propertyType?: Many;
  propertyQualifiers?: Many;
  propertyLabel?: Many;
  propertyDescription?: Many;
  userConfigurable?: Many;
  password?: Many;
  removeProperty?: Many;
  addConfig?: Many;
  defaultConfig?: Many;
  removeConfig?: Many;
  annotation?: Many;
  eulaFile?: Many;
}

/** The one value of an option that takes one: the same value twice is fine, two different ones are refused. */
function one(values: Many, flag: string): string | undefined {
  const distinct = [...new Set(values ?? [])];
  if (distinct.length > 1)
    throw new UsageError(
      'USAGE',
      `${flag} was given ${distinct.length} different values (${distinct.join(', ')})`,
      {
        hint: `Give ${flag} once`,
      },
    );
  return distinct[0];
}

/** KEY=VALUE pairs of a repeatable option; a key given twice with different values is refused. */
function pairs(list: Many, flag: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of list ?? []) {
    const i = s.indexOf('=');
    if (i <= 0) throw new UsageError('USAGE', `${flag} "${s}" must be KEY=VALUE`);
    const [k, v] = [s.slice(0, i), s.slice(i + 1)];
    if (m.has(k) && m.get(k) !== v)
      throw new UsageError('USAGE', `${flag} gives "${k}" two values ("${m.get(k)}", "${v}")`);
    m.set(k, v);
  }
  return m;
}

function editProduct(sys: ovf.OvfContent, o: EditOptions): void {
  const product: ovf.ProductFields = {};
  const fields: Array<[keyof ovf.ProductFields, Many, string]> = [
    ['product', o.product, '--product'],
    ['vendor', o.vendor, '--vendor'],
    ['version', o.productVersion, '--product-version'],
    ['fullVersion', o.fullVersion, '--full-version'],
    ['productUrl', o.productUrl, '--product-url'],
    ['vendorUrl', o.vendorUrl, '--vendor-url'],
    ['appUrl', o.appUrl, '--app-url'],
  ];
  for (const [k, v, flag] of fields) {
    const value = one(v, flag);
    if (value !== undefined) product[k] = value;
  }
  if (Object.keys(product).length) ovf.setProduct(sys, product);
}

/** CPUs, memory, networks, NICs and disks; hardware changes apply to each `--config` option, or to all. */
async function editHardware(
  env: ovf.OvfEnvelope,
  sys: ovf.OvfContent,
  o: EditOptions,
  added: Map<string, string>,
): Promise<void> {
  const configs: (string | undefined)[] = o.config?.length ? [...new Set(o.config)] : [undefined];
  for (const c of configs) if (c !== undefined) ovf.requireConfiguration(env, c);
  const cpus = one(o.cpus, '--cpus');
  const memory = one(o.memory, '--memory');
  for (const c of configs) {
    if (cpus !== undefined) ovf.setCpus(sys, Number(cpus), c, env);
    if (memory !== undefined) ovf.setMemory(sys, parseSize(memory), c, env);
  }
  for (const n of o.network ?? []) {
    const [name = '', desc] = n.split('=', 2);
    ovf.addNetwork(env, name, desc);
  }
  const forOptions = configs[0] === undefined ? undefined : (configs as string[]).join(' ');
  for (const n of o.nic ?? []) {
    const [net = '', model] = n.split(':', 2);
    ovf.addNic(env, sys, net, model ?? 'e1000', forOptions);
  }
  const nets = o.nicNetwork ?? [];
  for (const c of configs) {
    if (nets.length === 1) ovf.setNicNetwork(env, sys, nets[0]!, undefined, c);
    else for (const [i, net] of nets.entries()) ovf.setNicNetwork(env, sys, net, i + 1, c);
  }
  for (const id of o.removeDisk ?? []) ovf.removeDisk(env, id);
  const disks = o.disk ?? [];
  const capacities = o.diskCapacity ?? [];
  if (capacities.length !== disks.length)
    throw new UsageError(
      'USAGE',
      `${disks.length} --disk and ${capacities.length} --disk-capacity: give one capacity (the virtual size) per disk`,
    );
  for (const [i, d] of disks.entries()) {
    const st = await stat(d).catch(() => undefined);
    if (st !== undefined && !st.isFile())
      throw new UsageError('USAGE', `--disk "${d}" is not a regular file`);
    const size = st?.size;
    added.set(basename(d), d);
    ovf.addDisk(env, sys, {
      href: basename(d),
      capacityBytes: parseSize(capacities[i]!),
      ...(size === undefined ? {} : { fileSize: BigInt(size) }),
    });
  }
  for (const b of o.blankDisk ?? []) ovf.addDisk(env, sys, { capacityBytes: parseSize(b) });
}

function editProperties(sys: ovf.OvfContent, o: EditOptions): void {
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
    const set = <K extends keyof ovf.PropertyFields>(k: K, v: ovf.PropertyFields[K] | undefined) => {
      if (v !== undefined) f[k] = v;
    };
    set('type', types.get(key));
    set('value', values.get(key));
    set('qualifiers', quals.get(key));
    set('label', labels.get(key));
    set('description', descs.get(key));
    if (o.userConfigurable?.includes(key)) f.userConfigurable = true;
    if (o.password?.includes(key)) f.password = true;
    ovf.setProperty(sys, key, f);
  }
  for (const k of o.removeProperty ?? []) ovf.removeProperty(sys, k);
}

/** Runs an edit; temporary files it made (converted images, ISO images) are removed after, whatever happens. */
async function editCommand(file: string, o: EditOptions): Promise<number> {
  const temps: string[] = [];
  try {
    return await runEdit(file, o, temps);
  } finally {
    await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
  }
}

async function runEdit(file: string, o: EditOptions, temps: string[]): Promise<number> {
  const packed = await isPackage(file);
  const out = o.output ?? file;
  if (packed !== /\.ova$/i.test(out) && /\.(ova|ovf)$/i.test(out))
    throw new UsageError(
      'USAGE',
      packed
        ? `-o "${out}": an edit of an OVA writes an OVA, not a descriptor`
        : `-o "${out}": an edit of a descriptor writes a descriptor, not an OVA`,
      { hint: packed ? 'Unpack it with vessel ova unpack first' : 'Pack it after with vessel ova pack' },
    );
  const env = await readDescriptor(file);
  const before = ovf.validateOvf(env);
  const sys = ovf.targetSystem(env, one(o.system, '--system'));
  editProduct(sys, o);
  const added = new Map<string, string>();
  const replaced = new Set<string>();
  await editFiles(env, o, added, packed, replaced);
  for (const c of o.addConfig ?? []) {
    const [id = '', label] = c.split('=', 2);
    ovf.setConfiguration(env, id, label === undefined ? {} : { label });
  }
  await editHardware(env, sys, o, added);
  await editDiskImages(env, sys, o, added, packed, temps);
  await injectConfig(env, sys, o, added, packed, temps);
  if (o.controller?.length && !o.addDisk?.length && !o.injectConfig?.length)
    throw new UsageError('USAGE', '--controller goes with --add-disk or --inject-config');
  const configs = [...new Set(o.config ?? [])];
  editDevices(env, sys, o, configs);
  editProperties(sys, o);
  const defaultConfig = one(o.defaultConfig, '--default-config');
  if (defaultConfig !== undefined) ovf.setConfiguration(env, defaultConfig, { default: true });
  for (const c of o.removeConfig ?? []) ovf.removeConfiguration(env, c);
  const annotation = one(o.annotation, '--annotation');
  if (annotation !== undefined) ovf.setAnnotation(sys, annotation);
  const eula = one(o.eulaFile, '--eula-file');
  if (eula !== undefined) ovf.setEula(sys, (await readInput(eula)).toString('utf8'));
  deleteOtherConfigurations(env, o, configs);
  ovf.assertEditValid(before, env);
  const text = ovf.formatOvf(env);
  if (!packed) {
    if (o.key !== undefined || o.cert !== undefined)
      throw new UsageError('USAGE', '--key and --cert sign an OVA; a descriptor on its own has no signature');
    await placeBeside(out, added, replaced);
    await writeAtomic(out, text);
    if (o.json) printJson({ output: out, ...ovf.ovfInfo(env) });
    return ExitCode.Ok;
  }
  const signer = await signerOption(o.key, o.cert);
  const r = await rewriteOva(file, {
    output: out,
    descriptor: Buffer.from(text, 'utf8'),
    added,
    signer,
  });
  if (o.json) printJson({ output: out, ...ovf.ovfInfo(env), droppedSignature: r.droppedSignature });
  else if (r.droppedSignature !== undefined)
    println(
      `warning: the package's signature (${r.droppedSignature}) no longer matches the edited package and was dropped; give --key (and --cert) to sign it again`,
    );
  return ExitCode.Ok;
}

/** The signer from --key/--cert, or undefined when neither is given. */
async function signerOption(
  key: string | undefined,
  cert: string | undefined,
): Promise<OvaSigner | undefined> {
  if (key === undefined) {
    if (cert !== undefined) throw new UsageError('USAGE', '--cert needs --key');
    return undefined;
  }
  return loadSigner(await readInput(key), cert === undefined ? undefined : await readInput(cert));
}
