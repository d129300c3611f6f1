import { describe, expect, it } from 'vitest';
import { type Api, resultOf } from '../../../api/index.js';
import { buildDefinition } from '../../../model/index.js';
import { connectWsmanApi } from '../../wsman/client/api.js';
import { openCimHost } from './cim-conformance.case.test.js';
import { CimXmlApi } from './cimxml-api.js';

// systems.metadata/setMetadata of the Api over CIM-XML and over WS-Man on a real Vessel host: what the CLI cannot
// pass in an argument (NUL, other controls, noncharacters) round-trips, and the answers equal the host's own.

const ENCODINGS = {
  'CIM-XML': () =>
    openCimHost('cimxml', (s) =>
      CimXmlApi.connect({ url: s.url, user: 'admin', password: 'secret', timeoutMs: 20_000 }),
    ),
  'WS-Man': () =>
    openCimHost('wsman', (s) =>
      connectWsmanApi({ url: s.wsmanUrl!, user: 'admin', password: 'secret', timeoutMs: 20_000 }),
    ),
};

const HOSTILE: Record<string, string> = {
  'nul\0key=\x01': 'nul\0value\x07\x1b[31m\x7f',
  'cr\rkey': 'a\r\nb\rc',
  '%41%': '%%u0041',
  nonchar: '\uFFFE\uFFFF\uFDD0',
};

describe('systems.metadata over CIM-XML and WS-Man', { timeout: 120_000 }, () => {
  for (const [label, open] of Object.entries(ENCODINGS)) {
    it(`${label}: NUL, controls, CR, % and noncharacters round-trip through the host`, async () => {
      const h = await open();
      try {
        const api: Api = h.api;
        resultOf(
          await api.systems.define(buildDefinition({ name: 'md1', cpus: 1, memoryBytes: 64n << 20n }), {
            waitMs: 60_000,
          }),
        );
        for (const [k, v] of Object.entries(HOSTILE)) await api.systems.setMetadata('md1', k, v);
        expect(await api.systems.metadata('md1')).toEqual(HOSTILE);
        await api.systems.setMetadata('md1', 'nul\0key=\x01', undefined);
        const { 'nul\0key=\x01': _, ...rest } = HOSTILE;
        expect(await api.systems.metadata('md1')).toEqual(rest);
        expect((await api.host.capabilities()).features.metadata).toBe(true);
        await expect(api.systems.setMetadata('md1', '', 'v')).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
        });
        await expect(api.systems.metadata('ghost')).rejects.toMatchObject({ code: 'VM_NOT_FOUND' });
      } finally {
        await h.close();
      }
    });
  }
});
