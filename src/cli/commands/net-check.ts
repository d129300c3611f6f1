import { type Api, ApiError, isApiError } from '../../api/index.js';

/**
 * Refuses network names the host does not have, before a command asks it to use them: `vm define --nic NET` and
 * `deploy --net a=NET` name the host's networks, and a misspelt one must not become user-mode NAT by default. A
 * host that cannot show its networks (NOT_SUPPORTED, e.g. over CIM-XML) is left to decide.
 *
 * @example
 * await checkNetworks(api, ['lan'], '--nic'); // throws NOT_FOUND naming "lan" and `vessel net list`
 */
export async function checkNetworks(api: Api, names: readonly string[], option: string): Promise<void> {
  if (names.length === 0) return;
  let known: string[];
  try {
    known = (await api.networks.list()).map((n) => n.name);
  } catch (e) {
    if (isApiError(e, 'NOT_SUPPORTED')) return;
    throw e;
  }
  const unknown = names.find((n) => !known.includes(n));
  if (unknown === undefined) return;
  throw new ApiError('NOT_FOUND', `${option}: the host has no network "${unknown.slice(0, 64)}"`, {
    hint: `Its networks are: ${known.join(', ') || 'none'} (vessel net list); add one with vessel net define`,
    detail: { domain: 'host', code: 'NETWORK_NOT_FOUND' },
  });
}
