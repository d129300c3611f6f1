import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { probe } from '../../../disk/index.js';
import { buildDefinition } from '../../../model/index.js';
import { requireOperation } from '../../operations.js';
import type { DriverCase } from '../types.case.test.js';
import { cleanup } from './helpers.case.test.js';

/** What an export reads: each drive's current content, as the driver reports it. */
export const imageCases: DriverCase[] = [
  {
    id: 'images.export',
    title: "reports each drive's current image, before and after the system ran",
    requires: (_caps, entry) => entry.includes('diskImages'),
    needs: 'the diskImages entry point',
    timeoutMs: 60_000,
    async run(t) {
      const d = t.driver;
      const disk = t.options.guest.disk;
      const size = BigInt((await probe(disk)).virtualSize);
      const { uuid } = await d.define(
        buildDefinition({
          name: 'conf-img',
          cpus: 1,
          memoryBytes: 128n << 20n,
          disks: [disk],
          cdroms: [disk],
        }),
      );
      try {
        const before = await requireOperation(d, 'diskImages')(uuid);
        expect(before.map((i) => [i.kind, i.source.path, i.source.chain, i.virtualSizeBytes])).toEqual([
          ['disk', disk, false, size],
          ['cdrom', disk, false, expect.any(BigInt)],
        ]);
        if (d.start === undefined || d.powerOff === undefined) return;
        await d.start(uuid);
        await d.powerOff(uuid);
        const [after] = await requireOperation(d, 'diskImages')(uuid);
        expect(after).toMatchObject({
          instanceId: before[0]!.instanceId,
          kind: 'disk',
          virtualSizeBytes: size,
        });
        expect(existsSync(after!.source.path)).toBe(true);
        // An overlay the driver made lies in its state directory, over the base the definition names.
        if (after!.source.chain) expect(relative(t.stateDir, after!.source.path)).not.toMatch(/^\.\./);
        else expect(after!.source.path).toBe(disk);
      } finally {
        await cleanup(t, uuid);
      }
    },
  },
];
