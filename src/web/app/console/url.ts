/** Where a console's WebSocket is, and what the page shows of its connection. */

/** A console connection's state, as the page shows it. */
export type ConsoleStatus = { state: 'connecting' | 'open' } | { state: 'closed'; reason: string };

/**
 * The WebSocket URL of a system's console on this host (ws: or wss: as the page).
 *
 * @example
 * consoleUrl('web1', 'serial'); // 'wss://h1:8443/api/v1/systems/web1/console/serial'
 */
export function consoleUrl(system: string, kind: 'serial' | 'vnc'): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/v1/systems/${encodeURIComponent(system)}/console/${kind}`;
}
