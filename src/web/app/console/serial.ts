import './style-shim.js';
import { Terminal } from '@xterm/xterm';
import xtermCss from '@xterm/xterm/css/xterm.css';
import { type ConsoleStatus, consoleUrl } from './url.js';

let adopted = false;

/** xterm's stylesheet (bundled as text) as a constructed sheet of the document, once. */
function adoptXtermCss(): void {
  if (adopted) return;
  adopted = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(xtermCss);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/**
 * The serial console in xterm.js over the host's WebSocket (`/console/serial`, binary frames both ways). Copy and
 * paste: the browser's own (select, then Ctrl+C / right-click; paste with Ctrl+V), and Ctrl+Shift+C / Ctrl+Shift+V
 * as terminals have them, since Ctrl+C goes to the guest when nothing is selected.
 *
 * @example
 * const stop = mountSerial(div, 'web1', (s) => console.log(s));
 */
export function mountSerial(el: HTMLElement, system: string, status: (s: ConsoleStatus) => void): () => void {
  adoptXtermCss();
  const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5000 });
  term.open(el);
  const ws = new WebSocket(consoleUrl(system, 'serial'));
  ws.binaryType = 'arraybuffer';
  const enc = new TextEncoder();
  const send = (text: string) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(enc.encode(text));
  };
  status({ state: 'connecting' });
  ws.onopen = () => {
    status({ state: 'open' });
    term.focus();
  };
  ws.onmessage = (e: MessageEvent<ArrayBuffer>) => term.write(new Uint8Array(e.data));
  ws.onclose = (e) => status({ state: 'closed', reason: e.reason || `closed (${e.code})` });
  term.onData(send);
  term.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
    if (e.code === 'KeyC' && term.hasSelection()) {
      void navigator.clipboard?.writeText(term.getSelection());
      return false;
    }
    if (e.code === 'KeyV') {
      void navigator.clipboard?.readText().then((t) => term.paste(t));
      return false;
    }
    return true;
  });
  return () => {
    ws.close();
    term.dispose();
  };
}
