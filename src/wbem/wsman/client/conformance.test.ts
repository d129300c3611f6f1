import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runApiConformance } from '../../../api/conformance.case.test.js';
import { buildDefinition, type VirtualSystemDefinition } from '../../../model/index.js';
import { startVesselHostServer, type VesselHostServer } from '../../cimxml/test-host.js';
import { connectWsmanApi } from './api.js';

// The Api conformance cases against the Api over WS-Man (CimXmlApi's logic on WsmanCimOperations) on a real
// Vessel host serving WS-Man (test:///default behind the CIM providers, as `vessel host serve --wsman-http` runs
// it), with the server's sync window and with every method answering with a job. The same skips as over CIM-XML
// (src/wbem/cimxml/api/conformance.test.ts), no more: both encodings carry the same DMTF profiles.

const QUIET = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

async function open(syncMs?: number) {
  const server = await startVesselHostServer({
    parent: QUIET,
    wsman: true,
    ...(syncMs === undefined ? {} : { syncMs }),
  });
  current = server;
  const api = await connectWsmanApi({
    url: server.wsmanUrl!,
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

let current: VesselHostServer | undefined;

function guestIgnoringShutdown(def: VirtualSystemDefinition): VirtualSystemDefinition {
  current!.driver.ignoreShutdownOf(def.system.ElementName!);
  return def;
}

const FORCED =
  "RequestStateChange's TimeoutPeriod fails a late shutdown; no DSP1057 parameter asks for a power-off after it (changeState with forceAfterTimeout is NOT_SUPPORTED over CIM), and the case's second half needs one";

const declarations = {
  fixtures: { guestIgnoringShutdown },
  skip: [{ cases: ['state.shutdown-timeout'] as const, reason: FORCED }],
  unsupported: [
    {
      cases: ['events.replay'] as const,
      reason: 'this client does not subscribe to WS-Eventing indications',
    },
    {
      cases: ['systems.metadata', 'systems.stats'] as const,
      reason: 'DSP1042/DSP1057 have no metadata or statistics',
    },
    { cases: ['consoles.stopped'] as const, reason: 'no DMTF profile carries a serial console or its log' },
    { cases: ['users.crud'] as const, reason: "the WS-Man port's users are not CIM instances" },
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
  label: 'the Api over WS-Man on a Vessel host (test:///default), methods answering at once',
  open: () => open(),
  ...declarations,
});

runApiConformance({
  label: 'the Api over WS-Man on a Vessel host (test:///default), every method answering with a job',
  open: () => open(-1),
  ...declarations,
});
