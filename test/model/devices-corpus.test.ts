import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Classified, classifyResource } from '../../src/model/index.js';
import { hardwareOf, type OvfEnvelope, parseOvf, virtualSystems } from '../../src/ovf/index.js';
import { corpusCases } from '../helpers/corpus.js';

/**
 * The device classifier over every RASD of ../shared/ovf-corpus (read in place): it never throws, and every
 * controller and NIC spelling real producers wrote resolves to a named kind, except the few the corpus holds on
 * purpose (a made-up SCSI subtype, an SR-IOV card, VMware's NVDIMM controller).
 */

interface Seen {
  file: string;
  rt: string | undefined;
  sub: string | undefined;
  c: Classified;
}

function survey(): { parsed: number; items: Seen[] } {
  const items: Seen[] = [];
  let parsed = 0;
  for (const c of corpusCases()) {
    let env: OvfEnvelope;
    try {
      env = parseOvf(readFileSync(c.path), { file: c.file });
    } catch {
      continue; // malformed on purpose; the parser's own tests cover them
    }
    parsed++;
    for (const system of virtualSystems(env)) {
      for (const item of hardwareOf(system)?.items ?? []) {
        const p = item.resource.properties;
        items.push({
          file: c.file,
          rt: p.ResourceType,
          sub: p.ResourceSubType,
          c: classifyResource(item.resource),
        });
      }
    }
  }
  return { parsed, items };
}

describe('classifyResource() over the corpus', () => {
  const { parsed, items } = survey();

  it('classifies every item of every parsed descriptor', () => {
    expect(parsed).toBeGreaterThan(300);
    expect(items.length).toBeGreaterThan(2500);
    // Every item got a meaning (survey() would have thrown otherwise), and the common devices are all there.
    const devices = new Set(items.map((s) => s.c.device));
    for (const d of ['controller', 'drive', 'nic', 'processor', 'memory', 'serial', 'sound', 'other'])
      expect(devices.has(d as Classified['device']), d).toBe(true);
  });

  it('names every storage controller and NIC spelling but the ones made up or unsupported on purpose', () => {
    const unnamed = new Set<string>();
    for (const s of items) {
      const rt = s.rt?.trim();
      if (rt !== '5' && rt !== '6' && rt !== '10' && rt !== '20' && rt !== '23') continue;
      const named = (s.c.device === 'controller' || s.c.device === 'nic') && s.c.certainty !== 'guessed';
      if (!named) unnamed.add(`RT ${rt} ${JSON.stringify(s.sub ?? null)} -> ${s.c.device}`);
    }
    expect([...unnamed].sort()).toEqual([
      'RT 10 "SriovEthernetCard" -> nic',
      'RT 20 "vmware.nvdimm.controller" -> other',
      'RT 20 "vmware.nvdimm.device" -> other',
      'RT 6 "whatever" -> controller',
    ]);
  });

  it('reads the producers’ SCSI and SATA spellings as their kinds, alternatives in order', () => {
    const kindsOf = (rt: string, sub: string) =>
      items.find((s) => s.rt === rt && s.sub === sub && s.c.device === 'controller')?.c;
    expect(kindsOf('6', 'virtio lsilogic')).toMatchObject({ kinds: ['virtio-scsi', 'lsilogic'] });
    expect(kindsOf('6', 'someother, lsilogic')).toMatchObject({ kinds: ['lsilogic'] });
    expect(kindsOf('6', 'buslogic,lsilogic')).toMatchObject({ kinds: ['buslogic', 'lsilogic'] });
    expect(kindsOf('6', 'VirtualSCSI')).toMatchObject({ kinds: ['pvscsi'] });
    expect(kindsOf('6', 'lsilogicsas')).toMatchObject({ kinds: ['lsisas'] });
    expect(kindsOf('20', 'vmware.sata.ahci')).toMatchObject({ kinds: ['ahci'] });
    expect(kindsOf('20', 'vmware.nvme.controller')).toMatchObject({ kinds: ['nvme'] });
    const vmxnet = items.find((s) => s.rt === '10' && s.sub === 'Vmxnet')?.c;
    expect(vmxnet).toEqual({ device: 'nic', models: ['vmxnet'], certainty: 'named' });
  });
});
