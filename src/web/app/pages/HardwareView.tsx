import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { formatBytes } from '../format.js';
import { hardwareOf } from '../hardware.js';
import type { ImageView, PoolView } from '../host-types.js';
import { api } from '../http.js';
import type { SystemView } from '../types.js';

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** The virtual sizes of the pools' images, by file name (what a disk's capacity is when its definition has none). */
function useImageSizes(): ReadonlyMap<string, number> {
  const sizes = useSignal<ReadonlyMap<string, number>>(new Map());
  useEffect(() => {
    let stop = false;
    (async () => {
      const pools = await api<{ items: PoolView[] }>('GET', '/pools');
      const m = new Map<string, number>();
      for (const p of pools.items) {
        if (!p.available) continue;
        const images = await api<{ items: ImageView[] }>('GET', `/pools/${encodeURIComponent(p.id)}/images`);
        for (const i of images.items) m.set(i.name, Number(i.virtualSizeBytes ?? i.sizeBytes));
      }
      if (!stop) sizes.value = m;
    })().catch(() => undefined);
    return () => {
      stop = true;
    };
  }, []);
  return sizes.value;
}

/** Disks, CD/DVD drives, NICs, firmware and boot order of a system. */
export function HardwareView({ s }: { s: SystemView }) {
  const hw = hardwareOf(s);
  const sizes = useImageSizes();
  const disks = hw.drives.filter((d) => d.kind !== 'cdrom');
  const cds = hw.drives.filter((d) => d.kind === 'cdrom');
  return (
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">Devices</h2>
      <dl class="summary">
        <dt>Firmware</dt>
        <dd data-field="firmware">{hw.firmware}</dd>
        <dt>Boot order</dt>
        <dd data-field="boot-order">
          {hw.bootOrder.join(' → ') || '—'}
          {hw.bootDefault && hw.bootOrder.length > 0 && <span class="reason"> (the host's default)</span>}
        </dd>
        {hw.machine !== undefined && (
          <>
            <dt>System type</dt>
            <dd>{hw.machine}</dd>
          </>
        )}
      </dl>
      <h3>Disks</h3>
      <table class="disks">
        <thead>
          <tr>
            <th scope="col">Disk</th>
            <th scope="col">Capacity</th>
            <th scope="col">Controller and address</th>
            <th scope="col">Image</th>
          </tr>
        </thead>
        <tbody>
          {disks.map((d) => {
            const size = d.capacityBytes ?? (d.image === undefined ? undefined : sizes.get(base(d.image)));
            return (
              <tr key={d.id} data-disk={d.id}>
                <td data-label="Disk">{d.name}</td>
                <td data-label="Capacity">{formatBytes(size)}</td>
                <td data-label="Controller and address">{d.place}</td>
                <td data-label="Image" class="mono">
                  {d.image ?? 'none'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {disks.length === 0 && <p>No disks.</p>}
      <h3>CD/DVD drives</h3>
      {cds.length === 0 ? (
        <p>No CD/DVD drives.</p>
      ) : (
        <table class="cdroms">
          <thead>
            <tr>
              <th scope="col">Drive</th>
              <th scope="col">Media</th>
              <th scope="col">Controller and address</th>
            </tr>
          </thead>
          <tbody>
            {cds.map((d) => (
              <tr key={d.id} data-cdrom={d.id}>
                <td data-label="Drive">{d.name}</td>
                <td data-label="Media" class="mono">
                  {d.image ?? 'empty'}
                </td>
                <td data-label="Controller and address">{d.place}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Network adapters</h3>
      {hw.nics.length === 0 ? (
        <p>No network adapters.</p>
      ) : (
        <table class="nics">
          <thead>
            <tr>
              <th scope="col">Adapter</th>
              <th scope="col">Network</th>
              <th scope="col">Model</th>
              <th scope="col">MAC</th>
            </tr>
          </thead>
          <tbody>
            {hw.nics.map((n) => (
              <tr key={n.id} data-nic={n.id}>
                <td data-label="Adapter">{n.name}</td>
                <td data-label="Network">{n.network ?? 'none'}</td>
                <td data-label="Model">{n.model ?? 'default'}</td>
                <td data-label="MAC" class="mono">
                  {n.mac ?? 'assigned at start'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
