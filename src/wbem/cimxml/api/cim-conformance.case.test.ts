import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Api } from '../../../api/index.js';
import { buildDefinition, type VirtualSystemDefinition } from '../../../model/index.js';
import { startVesselHostServer, type VesselHostServer } from '../test-host.js';

// What the Api conformance runs over the two CIM encodings (CIM-XML: conformance.test.ts here; WS-Man:
// src/wbem/wsman/client/conformance.test.ts) share: a fresh Vessel host per case and the same declarations, since
// both carry the same DMTF profiles. Not run alone (`*.case.test.ts`).

/**
 * Where the hosts keep their state, and so their default storage pool: pools.read compares two reads of a pool,
 * whose used bytes are its file system's (DSP1047 Reserved), so the file system had better be one that the
 * machine's other work does not write to meanwhile.
 */
const QUIET = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** The host of the case that runs now (the runner opens one per case and runs them one at a time). */
let current: VesselHostServer | undefined;

/**
 * A fresh host and a client of `encoding` connected to it. The client learns which state changes a host's systems
 * accept from their capabilities (DSP1057); an empty host shows none, so one system is defined on the host and
 * undefined again before the client is handed over (the client then knows them for the connection).
 *
 * @example
 * runApiConformance({ label, open: () => openCimHost('wsman', (s) => connectWsmanApi({ url: s.wsmanUrl! })) });
 */
export async function openCimHost(
  encoding: 'cimxml' | 'wsman',
  connect: (server: VesselHostServer) => Promise<Api>,
  syncMs?: number,
  driverUri?: string,
): Promise<{ api: Api; close(): Promise<void> }> {
  const server = await startVesselHostServer({
    parent: QUIET,
    ...(encoding === 'wsman' ? { wsman: true } : {}),
    ...(syncMs === undefined ? {} : { syncMs }),
    ...(driverUri === undefined ? {} : { driverUri }),
  });
  current = server;
  const api = await connect(server);
  const probe = await server.host.define(
    buildDefinition({ name: 'conf-warmup', cpus: 1, memoryBytes: 64n << 20n }),
  );
  await api.host.capabilities();
  await server.host.undefine(probe.uuid);
  return {
    api,
    close: async () => {
      await api.close();
      await server.close();
    },
  };
}

/**
 * A definition whose guest ignores ACPI: no property a definition carries over DefineSystem says so, so the
 * fixture tells the server's test driver the system's name instead.
 */
function guestIgnoringShutdown(def: VirtualSystemDefinition): VirtualSystemDefinition {
  current!.driver.ignoreShutdownOf(def.system.ElementName!);
  return def;
}

/**
 * The skips and unsupported cases of the Api over a CIM encoding (`CIM-XML`, `WS-Man`), with their reasons.
 *
 * @example
 * runApiConformance({ label, open, ...cimDeclarations('CIM-XML') });
 */
export function cimDeclarations(encoding: 'CIM-XML' | 'WS-Man') {
  return {
    fixtures: { guestIgnoringShutdown },
    skip: [
      {
        cases: ['systems.stats'] as const,
        reason:
          "statistics are the host sampler's latest DSP1053 values, which follow a start one interval later (src/wbem/cimxml/api/metrics.test.ts, src/cli/commands/vm-stats-cim.test.ts)",
      },
    ],
    unsupported: [
      {
        cases: ['events.replay'] as const,
        reason:
          encoding === 'CIM-XML'
            ? 'this client does not listen for CIM indications'
            : 'this client does not subscribe to WS-Eventing indications',
      },
      {
        cases: ['consoles.screenshot'] as const,
        reason:
          'no DMTF profile carries a display, and Vessel_TextConsoleService carries the serial console only',
      },
      { cases: ['users.crud'] as const, reason: `the ${encoding} port's users are not CIM instances` },
      {
        cases: ['networks.read', 'networks.manage'] as const,
        reason: "Vessel's host networks have no DMTF classes",
      },
      { cases: ['packages.deploy-export'] as const, reason: 'DSP1042 has no OVF deploy or export method' },
    ],
  };
}
