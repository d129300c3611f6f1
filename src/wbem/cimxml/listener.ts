import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CimError, type CimInstance } from '../../cim/index.js';
import { readBody } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import { CimXmlError } from './errors.js';
import { decodeExportRequest, encodeExportResponse } from './export.js';
import { readCimXmlAsync } from './xml-read.js';

/** Options of {@link startIndicationListener}. */
export interface IndicationListenerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The address (default 127.0.0.1). */
  host?: string | undefined;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: Buffer | string; cert: Buffer | string } | undefined;
  /** The largest request body (default 1 MiB). */
  maxBodyBytes?: number | undefined;
  /** Called with each indication received, with the sender's address. */
  onIndication(indication: CimInstance, from: string): void;
  /** Called with each request refused (malformed, oversized, wrong headers), for logs. */
  onRefused?(why: string, from: string): void;
}

/** A running listener. */
export interface IndicationListener {
  port: number;
  /** `http(s)://HOST:PORT/` to give a destination (CIM_ListenerDestinationCIMXML.Destination). */
  url: string;
  close(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Checks the export headers (DSP0200 §7.3) before the body is read. */
function checkHeaders(req: IncomingMessage): string {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/xml' && type !== 'text/xml')
    throw new CimXmlError('CIMXML_BAD_REQUEST', `Content-Type "${type.slice(0, 64)}" is not application/xml`);
  const exp = header(req, 'cimexport');
  if (exp === undefined) throw new CimXmlError('CIMXML_BAD_REQUEST', 'The CIMExport header is missing');
  if (exp.trim().toLowerCase() !== 'methodrequest')
    throw new CimXmlError('CIMXML_UNSUPPORTED_OPERATION', 'CIMExport is not MethodRequest');
  if (req.headers.cimexportbatch !== undefined)
    throw new CimXmlError(
      'CIMXML_MULTIPLE_REQUESTS_UNSUPPORTED',
      'Batched export requests are not supported',
    );
  const method = header(req, 'cimexportmethod')?.trim();
  if (!method) throw new CimXmlError('CIMXML_HEADER_MISMATCH', 'The CIMExportMethod header is missing');
  return method;
}

/**
 * A CIM-XML indication listener (DSP0200 §5.4): takes ExportIndication requests POSTed to any path, answers each
 * with an EXPMETHODRESPONSE (`CIMExport: MethodResponse`) and hands the indication to `onIndication`. Hostile
 * input is refused as DSP0200 §7.5 says (400 with a CIMError header for bad headers or XML, 413 over the body
 * limit, 405 for other HTTP methods); other export methods get CIM_ERR_NOT_SUPPORTED. The XML reader refuses a
 * DOCTYPE and entities and bounds depth, elements and text; slow senders are cut off after 10 s.
 *
 * @example
 * const l = await startIndicationListener({ port: 0, onIndication: (i) => console.log(i.className) });
 */
export async function startIndicationListener(o: IndicationListenerOptions): Promise<IndicationListener> {
  const max = o.maxBodyBytes ?? 1 << 20;
  const budget = { bytes: 0, max: max * 8 };
  const handle = (req: IncomingMessage, res: ServerResponse) => void answer(req, res);
  const server: Server = o.tls
    ? createHttpsServer({ key: o.tls.key, cert: o.tls.cert }, handle)
    : createHttpServer(handle);
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.maxConnections = 64;
  const refuse = (res: ServerResponse, status: number, why: string, from: string, cimError?: string) => {
    o.onRefused?.(why, from);
    const h: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' };
    if (cimError) h.CIMError = cimError;
    if (status === 405) h.Allow = 'POST';
    res.writeHead(status, h).end(`${why}\n`);
  };
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const from = req.socket.remoteAddress ?? '?';
    if (req.method !== 'POST') {
      req.resume();
      return refuse(res, 405, `${req.method} is not allowed; POST ExportIndication`, from);
    }
    const held = { bytes: 0 };
    try {
      const method = checkHeaders(req);
      const body = await readBody(req, max, budget, held);
      const call = decodeExportRequest(
        await readCimXmlAsync(body, { maxBytes: max, maxDepth: 64, maxElements: 20_000, maxTextChars: max }),
      );
      if (call.method !== method)
        throw new CimXmlError(
          'CIMXML_HEADER_MISMATCH',
          `CIMExportMethod "${method}" is not the body's ${call.method}`,
        );
      const ok = call.indication !== undefined;
      const error = ok
        ? undefined
        : new CimError('CIM_ERR_NOT_SUPPORTED', `Export method ${call.method} is not supported`);
      res
        .writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', CIMExport: 'MethodResponse' })
        .end(encodeExportResponse(call.messageId, call.method, error));
      if (call.indication) o.onIndication(call.indication, from);
    } catch (e) {
      if (e instanceof CimXmlError) return refuse(res, e.httpStatus, e.message, from, e.cimErrorHeader);
      if (e instanceof HttpError)
        return refuse(
          res,
          e.code === 'HTTP_TOO_LARGE' ? 413 : e.code === 'HTTP_BUSY' ? 503 : 400,
          e.message,
          from,
        );
      if (e instanceof CimError) return refuse(res, 400, e.message, from, 'request-not-valid');
      refuse(res, 500, 'The listener failed', from);
    } finally {
      budget.bytes -= held.bytes;
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    port,
    url: `${o.tls ? 'https' : 'http'}://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
