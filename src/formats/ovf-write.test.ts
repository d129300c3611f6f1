import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/cli.js';
import { CORPUS, corpusCases } from '../../test/helpers/corpus.js';
import { xmllintOvf1 } from '../../test/helpers/xmllint.js';
import { bytesOf } from '../model/index.js';
import {
  definitionFromOvf,
  findSection,
  findSections,
  hardwareOf,
  type OvfEnvelope,
  parseOvf,
  validateOvf,
  virtualSystems,
} from '../ovf/index.js';
import { convert } from './convert.js';

// issue 11: `vessel convert X.ovf --to ovf` keeps what OVF has and the model does not (product sections,
// properties, EULA, deployment options, vendor sections) and keeps OVF 2.0 as 2.0, through the one OVF writer.

const dir = mkdtempSync(join(tmpdir(), 'vessel-ovf-to-ovf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COT_INPUT = join(CORPUS, 'glennmatthews__cot__COT__tests__input.ovf');
const COT_UBUNTU2 = join(CORPUS, 'glennmatthews__cot__COT__tests__ubuntu.2.0.ovf');
const DEPLOYED = join(ROOT, 'test', 'fixtures', 'export', 'deployed.ovf');

function toOvf(file: string, configuration?: string) {
  const r = convert(readFileSync(file), {
    to: 'ovf',
    file,
    ...(configuration === undefined ? {} : { configuration }),
  });
  return { ...r, env: parseOvf(r.output) };
}

const system = (env: OvfEnvelope) => virtualSystems(env)[0]!;

/** The hardware a deployment option gives, as a consumer reads it: type, quantity, subtype, network per item. */
function hardwareFor(env: OvfEnvelope, configuration: string | undefined) {
  const def = definitionFromOvf(env, configuration === undefined ? {} : { configuration }).definition;
  return def.resources.map((r) => {
    const p = r.properties;
    const quantity = p.ResourceType === '4' ? bytesOf(r) : p.VirtualQuantity;
    return [p.InstanceID, p.ResourceType, quantity, p.ResourceSubType, p.Connection, p.Parent];
  });
}

describe('convert X.ovf --to ovf', () => {
  it('keeps every deployment option of COT’s input.ovf: each option gives the same hardware as before', () => {
    const { env, warnings } = toOvf(COT_INPUT);
    const source = parseOvf(readFileSync(COT_INPUT));
    const options = findSection(env.sections, 'DeploymentOptionSection')!;
    expect(options.configurations.map((c) => [c.id, c.default])).toEqual([
      ['1CPU-1GB-1NIC', undefined],
      ['2CPU-2GB-1NIC', undefined],
      ['4CPU-4GB-3NIC', 'true'],
    ]);
    for (const c of options.configurations.map((x) => x.id))
      expect(hardwareFor(env, c), c).toEqual(hardwareFor(source, c));
    // Per-option values are the same-InstanceID overrides VMware and COT write, not new items; the general item
    // is the default option's.
    const cpus = hardwareOf(system(env))!.items.filter((i) => i.resource.properties.ResourceType === '3');
    expect(
      cpus.map((i) => [
        i.resource.properties.VirtualQuantity,
        i.resource.properties.InstanceID,
        i.configuration,
      ]),
    ).toEqual([
      ['4', '1', undefined],
      ['1', '1', '1CPU-1GB-1NIC'],
      ['2', '1', '2CPU-2GB-1NIC'],
    ]);
    expect(validateOvf(env).filter((d) => d.severity === 'error')).toEqual([]);
    expect(warnings.filter((w) => w.code === 'CONFIGURATION' || w.code === 'PRODUCT')).toEqual([]);
  });

  it('keeps the product section, its properties and qualifiers, the transport and the items’ vendor XML', () => {
    const { env, output } = toOvf(COT_INPUT);
    const ps = findSection(system(env).sections, 'ProductSection')!;
    expect([ps.product?.text, ps.vendor?.text, ps.version?.text, ps.appUrl?.text, ps.required]).toEqual([
      'PRODUCT',
      'VENDOR',
      'DEV',
      'APPLICATION_URL',
      'false',
    ]);
    const props = ps.entries.flatMap((e) => (e.entry === 'Property' ? [e] : []));
    expect(props.map((p) => p.key)).toContain('enable-ssh-server');
    expect(props.find((p) => p.key === 'login-password')).toMatchObject({
      password: 'true',
      qualifiers: 'MaxLen(25)',
    });
    expect(ps.entries.filter((e) => e.entry === 'Category')).toHaveLength(3);
    const hw = hardwareOf(system(env))!;
    expect(hw.transport).toBe('iso');
    expect(hw.items.find((i) => i.resource.properties.InstanceID === '8')?.required).toBe('false');
    expect(output).toContain('<vmw:CoresPerSocket ovf:required="false">1</vmw:CoresPerSocket>');
    expect(findSection(system(env).sections, 'OperatingSystemSection')!.attrs[0]?.value).toBe(
      'other26xLinux64Guest',
    );
    const file = join(dir, 'cot-input.ovf');
    writeFileSync(file, output);
    expect(xmllintOvf1([file]).get(file)).toBe(true);
  });

  it('keeps the EULA, the annotation and per-option property values; icons are said to be left out', () => {
    const { env, warnings } = toOvf(DEPLOYED);
    const vs = system(env);
    expect(findSection(vs.sections, 'EulaSection')?.license.text).toBe('Use it kindly.');
    expect(findSection(vs.sections, 'AnnotationSection')?.annotation.text).toBe(
      'Deployed from the appliance package',
    );
    const port = findSections(vs.sections, 'ProductSection')[0]!.entries.find(
      (e) => e.entry === 'Property' && e.key === 'port',
    );
    expect(port).toMatchObject({ value: '8080', values: [{ value: '8443', configuration: 'large' }] });
    expect(warnings.map((w) => w.message)).toContain(
      'ProductSection "Example Appliance": icons are not written (their files are not converted)',
    );
    expect(validateOvf(env).filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('with --configuration, keeps that option only: its values become the defaults, and it says so', () => {
    const { env, warnings } = toOvf(DEPLOYED, 'large');
    expect(findSection(env.sections, 'DeploymentOptionSection')).toBeUndefined();
    const ps = findSections(system(env).sections, 'ProductSection')[0]!;
    expect(ps.entries.find((e) => e.entry === 'Property' && e.key === 'port')).toMatchObject({
      value: '8443',
      values: [],
    });
    expect(hardwareFor(env, undefined).find((r) => r[1] === '3')?.[2]).toBe('2');
    expect(warnings.map((w) => w.message)).toContain(
      'Only deployment option "large" was converted; the others are not written',
    );
  });

  it('keeps OVF 2.0 as 2.0, with StorageItem and EthernetPortItem, and VirtualBox’s vendor section', () => {
    const { env, output } = toOvf(COT_UBUNTU2);
    expect([env.generation, env.version]).toEqual(['2', '2.0']);
    const items = hardwareOf(system(env))!.items;
    expect(items.map((i) => i.element)).toContain('StorageItem');
    expect(items.map((i) => i.element)).toContain('EthernetPortItem');
    const machine = system(env).sections.find((s) => s.kind === 'Unknown' && s.element.local === 'Machine');
    expect(machine).toBeDefined();
    expect(output).toContain('<vbox:OSType ovf:required="false">Ubuntu_64</vbox:OSType>');
    const source = parseOvf(readFileSync(COT_UBUNTU2));
    expect(hardwareFor(env, undefined).map((r) => r.slice(0, 2))).toEqual(
      hardwareFor(source, undefined).map((r) => r.slice(0, 2)),
    );
    // VirtualBox's sound card (ResourceType 35, not CIM) is the one error, as in the source.
    const errors = (e: OvfEnvelope) =>
      validateOvf(e)
        .filter((d) => d.severity === 'error')
        .map((d) => d.code);
    expect(errors(env)).toEqual(errors(source));
    expect(errors(env)).toEqual(['OVF_RESOURCE_TYPE_UNKNOWN']);
  });
});

describe('convert X.ovf --to ovf over the corpus', () => {
  const cases = corpusCases().filter((c) => c.expect === 'positive' && c.file.endsWith('.ovf'));
  it.each(cases.map((c) => [c.file, c.path] as const))(
    '%s: every option’s hardware, and no new error',
    (_, path) => {
      const source = parseOvf(readFileSync(path));
      let r: ReturnType<typeof toOvf>;
      try {
        r = toOvf(path);
      } catch (e) {
        // A package without a VirtualSystem, or with a disk whose capacity nothing gives, is refused, saying so.
        const code = virtualSystems(source).length === 0 ? 'OVF_NOT_FOUND' : 'FORMAT_DISK_CAPACITY';
        expect((e as { code?: string }).code).toBe(code);
        return;
      }
      const configs = findSection(source.sections, 'DeploymentOptionSection')?.configurations.map(
        (c) => c.id,
      );
      for (const c of configs ?? [undefined]) {
        // Items with no InstanceID get one; two items with one InstanceID for one option keep the first (noted).
        const strip = (rows: ReturnType<typeof hardwareFor>) => {
          const seen = new Set<unknown>();
          return rows.flatMap((x) => {
            if (x[0] !== undefined && seen.has(x[0])) return [];
            seen.add(x[0]);
            return [x.slice(1, 3)];
          });
        };
        expect(strip(hardwareFor(r.env, c)), c).toEqual(strip(hardwareFor(source, c)));
      }
      const errors = (e: OvfEnvelope) =>
        new Set(
          validateOvf(e)
            .filter((d) => d.severity === 'error')
            .map((d) => d.code),
        );
      const before = errors(source);
      expect([...errors(r.env)].filter((code) => !before.has(code))).toEqual([]);
    },
  );
});
