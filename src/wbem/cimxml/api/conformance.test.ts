import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runApiConformance } from '../../../api/conformance.case.test.js';
import { buildDefinition, type VirtualSystemDefinition } from '../../../model/index.js';
import { startVesselHostServer, type VesselHostServer } from '../test-host.js';
import { CimXmlApi } from './cimxml-api.js';

// The Api conformance cases against CimXmlApi on a real Vessel CIM-XML server (a Host on test:///default behind
// the CIM providers, each CIM user with its own session of the host's Api, as `vessel host serve` runs it), twice: with the server's sync window (most methods answer
// 0 at once) and with every method answering 4096 and a CIM_ConcreteJob (as a slow host or Hyper-V does).

/**
 * Where the hosts keep their state, and so their default storage pool: pools.read compares two reads of a pool,
 * whose used bytes are its file system's (DSP1047 Reserved), so the file system had better be one that the
 * machine's other work does not write to meanwhile.
 */
const QUIET = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/**
 * A fresh host and a client connected to it. The client learns which state changes a host's systems accept from
 * their capabilities (DSP1057); an empty host shows none, so one system is defined on the host and undefined
 * again before the client is handed over (the client then knows them for the connection).
 */
async function open(syncMs?: number) {
  const server = await startVesselHostServer({ parent: QUIET, ...(syncMs === undefined ? {} : { syncMs }) });
  current = server;
  const api = await CimXmlApi.connect({
    url: server.url,
    user: 'admin',
    password: 'secret',
    timeoutMs: 20_000,
  });
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

/** The host of the case that runs now (the runner opens one per case and runs them one at a time). */
let current: VesselHostServer | undefined;

/**
 * A definition whose guest ignores ACPI: no property a definition carries over DefineSystem says so, so the
 * fixture tells the server's test driver the system's name instead.
 */
function guestIgnoringShutdown(def: VirtualSystemDefinition): VirtualSystemDefinition {
  current!.driver.ignoreShutdownOf(def.system.ElementName!);
  return def;
}

const FORCED =
  "RequestStateChange's TimeoutPeriod fails a late shutdown; no DSP1057 parameter asks for a power-off after it (changeState with forceAfterTimeout is NOT_SUPPORTED over CIM-XML), and the case's second half needs one";

const declarations = {
  fixtures: { guestIgnoringShutdown },
  skip: [{ cases: ['state.shutdown-timeout'] as const, reason: FORCED }],
  unsupported: [
    { cases: ['events.replay'] as const, reason: 'this client does not listen for CIM indications' },
    {
      cases: ['systems.metadata', 'systems.stats'] as const,
      reason: 'DSP1042/DSP1057 have no metadata or statistics',
    },
    { cases: ['consoles.stopped'] as const, reason: 'no DMTF profile carries a serial console or its log' },
    { cases: ['users.crud'] as const, reason: "the CIM-XML port's users are not CIM instances" },
    {
      cases: ['networks.read', 'networks.manage'] as const,
      reason: "Vessel's host networks have no DMTF classes",
    },
    { cases: ['packages.deploy-export'] as const, reason: 'DSP1042 has no OVF deploy or export method' },
    {
      cases: ['systems.keep-disks'] as const,
      reason: 'DestroySystem (DSP1042) has no choice of what happens to the disks',
    },
  ],
};

runApiConformance({
  label: 'CimXmlApi on a Vessel CIM-XML host (test:///default), methods answering at once',
  open: () => open(),
  ...declarations,
});

runApiConformance({
  label: 'CimXmlApi on a Vessel CIM-XML host (test:///default), every method answering with a job',
  open: () => open(-1),
  ...declarations,
});
