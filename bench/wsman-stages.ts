/**
 * Where a WS-Man Get's server time goes, stage by stage, in this process and without HTTP: the envelope read
 * (`readEnvelope`; also with a new MessageID per request, with shapes that miss the plain reader's templates, and
 * by the tree path alone), the object manager's `getInstance` through the Api session, the whole dispatch
 * (`dispatchWsman`: resource, getInstance, encoding, the envelope as bytes), each in a tight loop over the
 * test host with 1,000 systems that the paired bench loads, as CPU µs per request (medians of rounds). The HTTP
 * layer's share is the paired bench's `--floor`.
 *
 *   npm run build && node dist/bench/wsman-stages.js [--loops 20000] [--rounds 5] [--only LABEL]
 *
 * Run it under `node --cpu-prof` for a profile of the protocol's work alone (no sockets, no other process).
 */
import { parseArgs } from 'node:util';
import { newContext } from '../src/cim/index.js';
import { startTestHost } from '../src/wbem/cimxml/index.js';
import {
  createWsmanDispatcher,
  DEFAULT_WSMAN_LIMITS,
  dispatchWsman,
  instanceNameOf,
  readEnvelope,
  readEnvelopeTree,
  resolveResource,
} from '../src/wbem/wsman/index.js';
import { GET_BODY } from './wsman-get.js';
import { spread } from './wsman-pair.js';

const { values } = parseArgs({
  options: {
    loops: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const loops = Number(values.loops);
const rounds = Number(values.rounds);

const h = await startTestHost({ vms: 1000, wsman: true });
try {
  const om = h.endpoint.service.om;
  const d = createWsmanDispatcher(om, 'testhost', '0');
  const body = Buffer.from(GET_BODY);
  const limits = { ...DEFAULT_WSMAN_LIMITS, maxBytes: DEFAULT_WSMAN_LIMITS.maxBodyBytes };
  const req = await readEnvelope(body, limits);
  const r = resolveResource(om, req.resourceUri, req.selectors);
  const name = instanceNameOf(om, r);
  // Real clients send a new MessageID each time; 8 shapes in turn (an unknown header more) miss the plain reader's
  // templates every time: its full pass after failed matches, its worst case. The tree path is the reader before it.
  const fresh = Array.from({ length: 64 }, (_, k) =>
    Buffer.from(GET_BODY.replace('000000000001', String(k).padStart(12, '0'))),
  );
  const shapes = Array.from({ length: 8 }, (_, k) =>
    Buffer.from(GET_BODY.replace('</s:Header>', `<x:H${k} xmlns:x="urn:x"/></s:Header>`)),
  );
  let turn = 0;
  const stages: Record<string, () => Promise<unknown>> = {
    readEnvelope: () => readEnvelope(body, limits),
    'readEnvelope, a new MessageID each': () => readEnvelope(fresh[turn++ & 63]!, limits),
    'readEnvelope, 8 shapes in turn': () => readEnvelope(shapes[turn++ & 7]!, limits),
    'readEnvelopeTree (the tree path)': () => readEnvelopeTree(body, limits),
    getInstance: () => om.getInstance(newContext('admin', 'admin'), r.ns.name, name),
    'dispatchWsman (read envelope given)': () => dispatchWsman(d, req, newContext('admin', 'admin')),
    'readEnvelope + dispatchWsman': async () =>
      dispatchWsman(d, await readEnvelope(body, limits), newContext('admin', 'admin')),
  };
  const times = new Map<string, number[]>();
  for (let k = 0; k < rounds + 1; k++) {
    for (const [label, run] of Object.entries(stages)) {
      if (values.only !== undefined && !label.includes(values.only)) continue;
      const c0 = process.cpuUsage();
      // The event loop turns every 8 requests, as with the paired bench's 8 clients (what waits for a turn, such as
      // the OperationTimeout races, would pile up otherwise).
      for (let i = 0; i < loops; i++) {
        await run();
        if (i % 8 === 7) await new Promise((ok) => setImmediate(ok));
      }
      // CPU time of this process (user and system), which other load on the machine moves less than wall time.
      const c = process.cpuUsage(c0);
      const us = (c.user + c.system) / loops;
      // The first round warms V8 up.
      if (k > 0) times.set(label, [...(times.get(label) ?? []), us]);
    }
  }
  for (const [label, xs] of times) {
    const s = spread(xs);
    process.stdout.write(
      `${label.padEnd(40)} ${s.median.toFixed(2).padStart(7)} µs CPU (quartiles ${s.q1.toFixed(2)} .. ${s.q3.toFixed(2)})\n`,
    );
  }
} finally {
  await h.close();
}
