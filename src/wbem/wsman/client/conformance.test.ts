import { runApiConformance } from '../../../api/conformance.case.test.js';
import { cimDeclarations, openCimHost } from '../../cimxml/api/cim-conformance.case.test.js';
import { connectWsmanApi } from './api.js';

// The Api conformance cases against the Api over WS-Man (CimXmlApi's logic on WsmanCimOperations) on a real
// Vessel host serving WS-Man (test:///default behind the CIM providers, as `vessel host serve --wsman-http` runs
// it), with the server's sync window and with every method answering with a job. The same declarations as over
// CIM-XML, no more: both encodings carry the same DMTF profiles.

const open = (syncMs?: number) =>
  openCimHost(
    'wsman',
    (s) => connectWsmanApi({ url: s.wsmanUrl!, user: 'admin', password: 'secret', timeoutMs: 20_000 }),
    syncMs,
  );

runApiConformance({
  label: 'the Api over WS-Man on a Vessel host (test:///default), methods answering at once',
  open: () => open(),
  ...cimDeclarations('WS-Man'),
});

runApiConformance({
  label: 'the Api over WS-Man on a Vessel host (test:///default), every method answering with a job',
  open: () => open(-1),
  ...cimDeclarations('WS-Man'),
});
