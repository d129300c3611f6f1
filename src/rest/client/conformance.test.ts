import { runApiConformance } from '../../api/conformance.case.test.js';
import { smallOva } from '../../host/api/fixtures.case.test.js';
import type { VirtualSystemDefinition } from '../../model/index.js';
import { type RestTestHost, startRestTestHost } from '../test-host.js';
import { RestApi } from './api.js';

// The Api conformance cases against RestApi (the Api over /api/v1 alone) on a real Vessel host serving REST
// (test:///default, as `vessel host serve --http` runs it). REST carries every method, so no case is declared
// unsupported: metadata, statistics and network changes run as on the host itself.

let current: RestTestHost | undefined;

async function open() {
  const h = await startRestTestHost({ vms: 0 });
  current = h;
  const api = new RestApi({
    url: new URL(h.restUrl.replace(/\/api\/v1$/, '/')),
    user: 'admin',
    password: 'secret',
  });
  return {
    api,
    close: async () => {
      await api.close();
      await h.close();
    },
  };
}

function guestIgnoringShutdown(def: VirtualSystemDefinition): VirtualSystemDefinition {
  current!.driver.ignoreShutdownOf(def.system.ElementName!);
  return def;
}

runApiConformance({
  label: 'the Api over REST on a Vessel host (test:///default)',
  open,
  fixtures: { guestIgnoringShutdown, smallOva },
});
