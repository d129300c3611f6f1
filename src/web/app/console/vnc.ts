import RFB from '@novnc/novnc';
import { type ConsoleStatus, consoleUrl } from './url.js';

/**
 * The graphical console in noVNC over the host's WebSocket (`/console/vnc`, RFB with subprotocol `binary`), scaled
 * to the page's width.
 *
 * @example
 * const stop = mountVnc(div, 'web1', (s) => console.log(s));
 */
export function mountVnc(el: HTMLElement, system: string, status: (s: ConsoleStatus) => void): () => void {
  status({ state: 'connecting' });
  const rfb = new RFB(el, consoleUrl(system, 'vnc'), { wsProtocols: ['binary'] });
  rfb.scaleViewport = true;
  rfb.addEventListener('connect', () => status({ state: 'open' }));
  rfb.addEventListener('disconnect', (e: CustomEvent<{ clean: boolean }>) =>
    status({ state: 'closed', reason: e.detail.clean ? 'closed' : 'the connection was lost' }),
  );
  return () => rfb.disconnect();
}
