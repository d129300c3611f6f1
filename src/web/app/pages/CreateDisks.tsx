import type { FieldKey, NewDiskField } from '../definition.js';
import { Field } from './Field.js';

/**
 * The create form's disks: each row is an image from a storage pool (its path) or a new empty disk (size, unit,
 * pool) that the host creates; the host's refusal shows on the field it is about (`disk-N`, `disk-N-size`,
 * `disk-N-pool`).
 */

type Disk = string | NewDiskField;

/** The disk rows, with a source choice per row and buttons to add either kind. */
export function DiskRows({
  disks,
  pools,
  err,
  onChange,
}: {
  disks: readonly Disk[];
  pools: readonly string[];
  err: (k: FieldKey) => string | undefined;
  onChange: (disks: Disk[]) => void;
}) {
  const put = (i: number, d: Disk) => onChange(disks.map((x, j) => (j === i ? d : x)));
  const fresh = (): NewDiskField => ({ size: '8', unit: 'GiB', pool: pools[0] ?? '' });
  return (
    <fieldset>
      <legend>Disks (from a storage pool, or new)</legend>
      {disks.map((d, i) => (
        <div class="row" key={`d${i}`}>
          <Field id={`create-disk-${i}-source`} label={`Disk ${i + 1} source`} error={undefined}>
            {(a) => (
              <select
                {...a}
                value={typeof d === 'string' ? 'pool' : 'new'}
                onChange={(e) => put(i, e.currentTarget.value === 'new' ? fresh() : '')}
              >
                <option value="pool">From a pool</option>
                <option value="new">New disk</option>
              </select>
            )}
          </Field>
          {typeof d === 'string' ? (
            <Field id={`create-disk-${i}`} label={`Disk ${i + 1} image`} error={err(`disk-${i}`)}>
              {(a) => (
                <input
                  {...a}
                  list="create-images"
                  class="mono"
                  value={d}
                  onInput={(e) => put(i, e.currentTarget.value)}
                />
              )}
            </Field>
          ) : (
            <NewDisk i={i} d={d} pools={pools} err={err} put={(n) => put(i, n)} />
          )}
          <button type="button" onClick={() => onChange(disks.filter((_, j) => j !== i))}>
            Remove<span class="sr-only"> disk {i + 1}</span>
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...disks, ''])}>
        Add disk
      </button>
      <button type="button" onClick={() => onChange([...disks, fresh()])}>
        Add new disk
      </button>
    </fieldset>
  );
}

/** A new disk's size, its unit and its pool. */
function NewDisk({
  i,
  d,
  pools,
  err,
  put,
}: {
  i: number;
  d: NewDiskField;
  pools: readonly string[];
  err: (k: FieldKey) => string | undefined;
  put: (d: NewDiskField) => void;
}) {
  const choices = pools.includes(d.pool) || d.pool === '' ? pools : [d.pool, ...pools];
  return (
    <>
      <Field id={`create-disk-${i}-size`} label={`Disk ${i + 1} size`} error={err(`disk-${i}-size`)}>
        {(a) => (
          <input
            {...a}
            inputMode="numeric"
            value={d.size}
            onInput={(e) => put({ ...d, size: e.currentTarget.value })}
          />
        )}
      </Field>
      <Field id={`create-disk-${i}-unit`} label={`Disk ${i + 1} size unit`} error={undefined}>
        {(a) => (
          <select
            {...a}
            value={d.unit}
            onChange={(e) => put({ ...d, unit: e.currentTarget.value as NewDiskField['unit'] })}
          >
            <option value="GiB">GiB</option>
            <option value="MiB">MiB</option>
          </select>
        )}
      </Field>
      <Field id={`create-disk-${i}-pool`} label={`Disk ${i + 1} pool`} error={err(`disk-${i}-pool`)}>
        {(a) => (
          <select {...a} value={d.pool} onChange={(e) => put({ ...d, pool: e.currentTarget.value })}>
            {choices.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}
