import { useSignal } from '@preact/signals';
import type { PoolView } from '../host-types.js';
import { ErrorBox } from '../ui.js';
import { uploadImage } from '../upload.js';

/** Uploads an ISO or disk image into a pool (admin), with a progress bar that only rises; `onDone` reloads the list. */
export function UploadImage({ pools, onDone }: { pools: PoolView[]; onDone: () => void }) {
  const pool = useSignal(pools.find((p) => p.isDefault)?.id ?? pools[0]?.id ?? '');
  const file = useSignal<File | undefined>(undefined);
  const share = useSignal<number | undefined>(undefined);
  const done = useSignal<string | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  const busy = useSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = file.value;
    if (f === undefined) return;
    error.value = undefined;
    done.value = undefined;
    busy.value = true;
    share.value = 0;
    try {
      await uploadImage(pool.value, f, (v) => {
        share.value = v;
      }).done;
      done.value = `Uploaded ${f.name} into ${pool.value}.`;
      onDone();
    } catch (x) {
      error.value = x;
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="edit upload-image" onSubmit={submit} aria-labelledby="upload-title">
      <h3 id="upload-title">Upload an image</h3>
      <div class="row">
        <label>
          Into pool
          <select value={pool.value} onChange={(e) => (pool.value = e.currentTarget.value)}>
            {pools
              .filter((p) => p.available)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.id}
                </option>
              ))}
          </select>
        </label>
        <label>
          ISO or disk image
          <input type="file" onChange={(e) => (file.value = e.currentTarget.files?.[0])} />
        </label>
        <button type="submit" disabled={busy.value || file.value === undefined}>
          Upload
        </button>
      </div>
      {share.value !== undefined && (
        <label>
          Upload {Math.round(share.value * 100)} %
          <progress class="upload" max={1} value={share.value} />
        </label>
      )}
      {done.value !== undefined && <p role="status">{done.value}</p>}
      <ErrorBox error={error.value} />
    </form>
  );
}
