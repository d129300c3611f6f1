import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { ConsoleStatus } from '../console/url.js';
import { mayPower, me } from '../session.js';
import { ErrorBox } from '../ui.js';

/**
 * A system's consoles: the serial port in xterm.js and the display in noVNC, each over the host's WebSocket. Both
 * libraries are loaded by this page only (dynamic imports, their own chunks), so the first page stays small.
 */
export function Console({ name }: { name: string }) {
  const serialEl = useRef<HTMLDivElement>(null);
  const vncEl = useRef<HTMLDivElement>(null);
  const serial = useSignal<ConsoleStatus>({ state: 'connecting' });
  const vnc = useSignal<ConsoleStatus>({ state: 'connecting' });
  const failed = useSignal<unknown>(undefined);
  const allowed = mayPower(me.value?.role);
  useEffect(() => {
    if (!allowed) return;
    let stops: (() => void)[] = [];
    let gone = false;
    const load = async () => {
      const [s, v] = await Promise.all([import('../console/serial.js'), import('../console/vnc.js')]);
      if (gone || serialEl.current === null || vncEl.current === null) return;
      stops = [
        s.mountSerial(serialEl.current, name, (x) => {
          serial.value = x;
        }),
        v.mountVnc(vncEl.current, name, (x) => {
          vnc.value = x;
        }),
      ];
    };
    load().catch((e: unknown) => {
      failed.value = e;
    });
    return () => {
      gone = true;
      for (const stop of stops) stop();
    };
  }, [name, allowed]);
  const show = (s: ConsoleStatus) => (s.state === 'closed' ? s.reason : s.state);
  return (
    <section aria-labelledby="console-title">
      <p>
        <a href={`#/systems/${encodeURIComponent(name)}`}>← {name}</a>
      </p>
      <h1 id="console-title">Consoles of {name}</h1>
      {!allowed ? (
        <p>The consoles need the operator role.</p>
      ) : (
        <>
          <ErrorBox error={failed.value} />
          <h2>
            Serial{' '}
            <span class="console-status" data-console="serial" data-status={serial.value.state}>
              {show(serial.value)}
            </span>
          </h2>
          <div class="terminal" ref={serialEl} data-testid="serial" />
          <h2>
            Display{' '}
            <span class="console-status" data-console="vnc" data-status={vnc.value.state}>
              {show(vnc.value)}
            </span>
          </h2>
          <div class="display" ref={vncEl} data-testid="vnc" />
        </>
      )}
    </section>
  );
}
