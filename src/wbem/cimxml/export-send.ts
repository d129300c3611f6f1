import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { CimInstance, ClassRepository, DestinationRecord, IndicationSender } from '../../cim/index.js';
import { exchange } from '../http/exchange.js';
import type { ClassLookup } from './encode-values.js';
import { CimXmlError } from './errors.js';
import { checkExportResponse, encodeExportIndication } from './export.js';

/** Options of {@link exportSender}. */
export interface ExportSenderOptions {
  /** The classes of the indications and their embedded instances (for typed properties). */
  repo: ClassRepository;
  /** One delivery from connecting to the last byte of the answer (default 10 s). */
  timeoutMs?: number | undefined;
  /** The largest answer read (default 64 KiB; an export response is a few hundred bytes). */
  maxAnswerBytes?: number | undefined;
}

/** The sender of a host's indications, with the connections it keeps. */
export interface ExportSender {
  send: IndicationSender;
  close(): void;
}

/**
 * Delivers indications as CIM-XML ExportIndication (DSP0200 §5.4, §7.3: `CIMExport: MethodRequest`,
 * `CIMExportMethod: ExportIndication`), POSTed to the destination's URL over keep-alive connections. An https
 * destination's certificate is verified against the system's roots (plus the destination's TrustedCertificate)
 * unless the destination says VerifyCertificate false. Redirects are not followed; an answer other than 200 with
 * an EXPMETHODRESPONSE (or one larger than `maxAnswerBytes`, or later than `timeoutMs`) is a failure, which the
 * courier retries.
 *
 * @example
 * const s = exportSender({ repo: service.om.repo });
 * await s.send(destination, indication);
 */
export function exportSender(o: ExportSenderOptions): ExportSender {
  const agents = new Map<string, HttpAgent>();
  let id = 1;
  const lookup: ClassLookup = (name) => {
    for (const n of o.repo.namespaces()) {
      const c = o.repo.namespace(n).get(name);
      if (c) return c;
    }
    return undefined;
  };
  const agentOf = (d: DestinationRecord, https: boolean): HttpAgent => {
    const key = `${https}\u0000${d.verifyCertificate}\u0000${d.trustedCertificate ?? ''}`;
    let a = agents.get(key);
    if (!a) {
      a = https
        ? new HttpsAgent({
            keepAlive: true,
            maxSockets: 2,
            rejectUnauthorized: d.verifyCertificate,
            ...(d.trustedCertificate ? { ca: [...rootCertificates, d.trustedCertificate] } : {}),
          })
        : new HttpAgent({ keepAlive: true, maxSockets: 2 });
      agents.set(key, a);
    }
    return a;
  };
  const maxBytes = o.maxAnswerBytes ?? 64 * 1024;
  return {
    async send(d: DestinationRecord, indication: CimInstance) {
      const url = new URL(d.destination);
      const https = url.protocol === 'https:';
      const body = encodeExportIndication(String(id++), indication, lookup);
      const a = await exchange({
        url,
        defaultPort: https ? 443 : 80,
        agent: agentOf(d, https),
        headers: {
          'Content-Type': 'application/xml; charset=utf-8',
          CIMExport: 'MethodRequest',
          CIMExportMethod: 'ExportIndication',
          CIMProtocolVersion: '1.0',
        },
        body,
        timeoutMs: o.timeoutMs ?? 10_000,
        maxBytes,
        where: `the listener ${url.host}`,
        operation: 'ExportIndication',
        fullBody: (s) => s === 200,
      });
      if (a.status !== 200)
        throw new CimXmlError('CIMXML_HTTP', `The listener ${url.host} answered HTTP ${a.status}`);
      checkExportResponse(a.body, maxBytes);
    },
    close() {
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
  };
}
