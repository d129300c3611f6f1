import { CimXmlApi } from '../../cimxml/api/index.js';
import { WsmanClient, type WsmanClientOptions } from './client.js';
import { WsmanCimOperations } from './operations.js';

/** How to reach a WS-Man host: its endpoint and the client's options (user, password, CA, timeouts, sizes). */
export interface WsmanConnectOptions extends Omit<WsmanClientOptions, 'namespace'> {
  /** `http(s)://host:port[/wsman]`. */
  url: string | URL;
}

/**
 * The Api over WS-Management: the same client of the DMTF System Virtualization profiles as over CIM-XML
 * (CimXmlApi, discovery through DSP1033, DMTF methods only), its CIM operations carried by WS-Man.
 *
 * @example
 * const api = await connectWsmanApi({ url: 'https://host1:5986/wsman', user: 'admin', password, ca: pem });
 * await api.systems.list();
 */
export function connectWsmanApi(o: WsmanConnectOptions): Promise<CimXmlApi> {
  const { url, ...options } = o;
  return CimXmlApi.over(new WsmanCimOperations(new WsmanClient(url, options)));
}
