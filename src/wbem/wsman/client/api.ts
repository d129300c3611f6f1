import type { Api } from '../../../api/index.js';
import { CimXmlApi, toApiError } from '../../cimxml/api/index.js';
import { CimXmlError } from '../../cimxml/errors.js';
import { WsmanClient, type WsmanClientOptions } from './client.js';
import { HypervApi } from './hyperv/api.js';
import { MICROSOFT_VENDOR } from './hyperv/names.js';
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

/** Which management profile a WS-Man host is read with: the DMTF profiles, Hyper-V's WMI v2, or Identify's say. */
export type WsmanPlatform = 'dmtf' | 'hyperv' | 'auto';

/**
 * The Api of a WS-Man host by its platform: `hyperv` is Hyper-V's WMI v2 ({@link HypervApi}), `dmtf` the DMTF
 * profiles ({@link connectWsmanApi}); `auto` (the default) asks Identify first and takes Hyper-V when its
 * ProductVendor is "Microsoft Corporation" (WinRM). An Identify that fails for any reason but a timeout leaves
 * the choice to the DMTF discovery, which reports what is wrong.
 *
 * @example
 * const api = await connectWsmanHost({ url: 'http://hv1:5985/wsman', user: 'Administrator', password });
 */
export async function connectWsmanHost(o: WsmanConnectOptions & { platform?: WsmanPlatform }): Promise<Api> {
  const { platform = 'auto', ...rest } = o;
  if (platform === 'hyperv') return HypervApi.connect(rest);
  if (platform === 'dmtf') return connectWsmanApi(rest);
  const probe = new WsmanClient(rest.url, rest);
  try {
    const id = await probe.identify();
    if (id.productVendor === MICROSOFT_VENDOR)
      return HypervApi.connect({ ...rest, productVersion: id.productVersion });
  } catch (e) {
    if (e instanceof CimXmlError && e.code === 'CIMXML_TIMEOUT')
      throw toApiError(e, { what: 'Identifying the WS-Man host' }, probe.url.host);
  } finally {
    probe.close();
  }
  return connectWsmanApi(rest);
}
