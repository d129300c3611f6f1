import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  instanceOfV1VirtualMachine,
  V1VirtualMachineFromJSON,
  V1VirtualMachineToJSON,
} from '@kubevirt-ui-ext/kubevirt-api/kubevirt';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureImages } from '../../test/fixtures/formats/images.js';
import { ROOT, SHARED } from '../../test/helpers/cli.js';
import { CONTROLLER_KINDS, CONTROLLERS, type Firmware, NIC_MODELS } from '../model/index.js';
import { PackageBuilder } from './build.js';
import { convert, writePackage } from './convert.js';
import { KUBEVIRT_WORDS } from './kubevirt/words.js';
import { LIBVIRT_WORDS } from './libvirt/words.js';
import type { SystemPackage } from './types.js';
import { Warnings } from './warnings.js';
import type { NativeWords } from './words.js';

/** What Vessel writes, checked by the targets' own validators: libvirt's schema, the DMTF OVF XSD, KubeVirt's API model. */
const FIX = join(ROOT, 'test', 'fixtures', 'formats', 'inputs');
const dir = mkdtempSync(join(tmpdir(), 'vessel-formats-validate-'));
const images = fixtureImages();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  images.remove();
});
const INPUTS = ['web1.ovf', 'web1.vmx', 'web1.xml', 'web1.vbox', 'web1.hyperv.xml', 'web1.yaml'];

/** Keys sorted, so that two JSON values compare whatever their key order. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** A definition with every controller kind and NIC model a format's table has, a boot order over all of them. */
function everything(words: NativeWords, firmware: Firmware): SystemPackage {
  const b = new PackageBuilder({ ElementName: 'all' });
  b.cpus(1);
  b.memory(1n << 30n);
  const order: string[] = [];
  for (const [i, kind] of CONTROLLER_KINDS.filter((k) => k !== 'usb' && words.has(k)).entries()) {
    const ctl = b.controller(kind, kind === 'ide' ? 0 : undefined);
    order.push(b.disk(ctl, 0, { file: `d${i}.qcow2`, capacityBytes: 1n << 30n, format: 'qcow2' }));
    if (CONTROLLERS[kind].cdrom) order.unshift(b.cdrom(ctl, 1, `c${i}.iso`));
  }
  for (const [i, m] of NIC_MODELS.filter((x) => words.has(x)).entries())
    order.splice(1, 0, b.nic(m, `net${i}`, `52:54:00:00:00:${String(10 + i)}`));
  return b.firmware(firmware).bootOrder(order).build();
}

describe('libvirt domain XML Vessel writes passes virt-xml-validate (libvirt-clients)', () => {
  it.each(['bios', 'efi'] as const)(
    'a domain with every controller kind and NIC model libvirt has, %s firmware and a boot order validates',
    (firmware) => {
      const out = writePackage(
        everything(LIBVIRT_WORDS, firmware),
        'libvirt',
        { imageDirectory: '/images' },
        new Warnings(),
      );
      expect(out.output).toContain('model="lsisas1078"');
      expect(out.output).toContain('<boot order="1"/>');
      expect(out.output).toContain(`firmware="${firmware}"`);
      const file = join(dir, `everything-${firmware}.domain.xml`);
      writeFileSync(file, out.output);
      const v = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
      expect(`${v.stdout}${v.stderr}`).toContain('validates');
      expect(v.status).toBe(0);
    },
  );

  it.each(INPUTS)('%s converted to libvirt validates against domain.rng', (input) => {
    const r = convert(readFileSync(join(FIX, input)), { to: 'libvirt', file: input, imageInfo: images.info });
    const file = join(dir, `${input}.domain.xml`);
    writeFileSync(file, r.output);
    const v = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
    expect(v.error).toBeUndefined();
    expect(`${v.stdout}${v.stderr}`).toContain('validates');
    expect(v.status).toBe(0);
  });
});

describe('OVF Vessel writes from native formats validates against the DMTF OVF 1.1 XSD (xmllint)', () => {
  it.each(INPUTS.slice(1))('%s converted to OVF validates', (input) => {
    const r = convert(readFileSync(join(FIX, input)), { to: 'ovf', file: input, imageInfo: images.info });
    const file = join(dir, `${input}.ovf`);
    writeFileSync(file, r.output);
    const schemas = join(SHARED, 'schemas', 'ovf1');
    const v = spawnSync(
      'xmllint',
      ['--nonet', '--noout', '--schema', join(schemas, 'dsp8023_1.1.0.xsd'), file],
      {
        encoding: 'utf8',
        env: { ...process.env, XML_CATALOG_FILES: join(schemas, 'catalog.xml') },
      },
    );
    expect(v.stderr).toContain('validates');
    expect(v.status).toBe(0);
  });
});

describe("KubeVirt manifests Vessel writes hold only fields of KubeVirt's OpenAPI model (kubevirt.io/v1 VirtualMachine)", () => {
  it.each(INPUTS.filter((i) => i !== 'web1.yaml'))(
    '%s converted to KubeVirt survives the API model unchanged',
    (input) => {
      const r = convert(readFileSync(join(FIX, input)), {
        to: 'kubevirt',
        file: input,
        imageInfo: images.info,
      });
      const json = parse(r.output) as Record<string, unknown>;
      expect(instanceOfV1VirtualMachine(json)).toBe(true);
      // The generated model keeps the fields the OpenAPI schema names and drops any other: nothing may be dropped.
      const through = JSON.parse(JSON.stringify(V1VirtualMachineToJSON(V1VirtualMachineFromJSON(json))));
      expect(sorted(through)).toEqual(sorted(json));
    },
  );

  it.each(['bios', 'efi'] as const)(
    'a VirtualMachine with every bus and NIC model KubeVirt has, %s firmware and boot orders survives the API model',
    (firmware) => {
      const out = writePackage(
        everything(KUBEVIRT_WORDS, firmware),
        'kubevirt',
        { imageDirectory: '/' },
        new Warnings(),
      );
      const json = parse(out.output) as Record<string, unknown>;
      expect(out.output).toContain('bootOrder: 1');
      const through = JSON.parse(JSON.stringify(V1VirtualMachineToJSON(V1VirtualMachineFromJSON(json))));
      expect(sorted(through)).toEqual(sorted(json));
    },
  );

  it('the check does catch a field KubeVirt does not have', () => {
    const r = convert(readFileSync(join(FIX, 'web1.ovf')), { to: 'kubevirt' });
    const json = parse(r.output) as { spec: { template: { spec: { domain: Record<string, unknown> } } } };
    json.spec.template.spec.domain.cpus = 2;
    const through = JSON.parse(JSON.stringify(V1VirtualMachineToJSON(V1VirtualMachineFromJSON(json))));
    expect(sorted(through)).not.toEqual(sorted(json));
  });
});
