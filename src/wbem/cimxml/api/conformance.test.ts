import { runApiConformance } from '../../../api/conformance.case.test.js';
import { cimDeclarations, openCimHost } from './cim-conformance.case.test.js';
import { CimXmlApi } from './cimxml-api.js';

// The Api conformance cases against CimXmlApi on a real Vessel CIM-XML server (a Host on test:///default behind
// the CIM providers, each CIM user with its own session of the host's Api, as `vessel host serve` runs it), twice:
// with the server's sync window (most methods answer 0 at once) and with every method answering 4096 and a
// CIM_ConcreteJob (as a slow host or Hyper-V does).

const open = (syncMs?: number) =>
  openCimHost(
    'cimxml',
    (s) => CimXmlApi.connect({ url: s.url, user: 'admin', password: 'secret', timeoutMs: 20_000 }),
    syncMs,
  );

runApiConformance({
  label: 'CimXmlApi on a Vessel CIM-XML host (test:///default), methods answering at once',
  open: () => open(),
  ...cimDeclarations('CIM-XML'),
});

runApiConformance({
  label: 'CimXmlApi on a Vessel CIM-XML host (test:///default), every method answering with a job',
  open: () => open(-1),
  ...cimDeclarations('CIM-XML'),
});
