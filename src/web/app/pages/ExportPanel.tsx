import { useSignal } from '@preact/signals';
import { formatBytes } from '../format.js';
import type { JobView } from '../host-types.js';
import { api } from '../http.js';
import type { SystemView } from '../types.js';
import { ErrorBox } from '../ui.js';

/** GET /artifacts/{id}. */
interface Artifact {
  id: string;
  fileName: string;
  sizeBytes: string;
  sha256: string;
}

/** The export job as POST /systems/{id}/export and GET /jobs/{id} answer it. */
type ExportJob = JobView & { result?: { artifact?: string; warnings: string[] } };

const TARGETS = { generic: 'Any OVF 1.0 importer', vmware: 'VMware', virtualbox: 'VirtualBox' } as const;

/**
 * Exports a stopped system as an OVA (admin): POST /systems/{id}/export as a job, its progress followed with
 * GET /jobs/{id}?wait=, then the artifact offered for download (GET /artifacts/{id}/content, the session cookie).
 */
export function ExportPanel({ s }: { s: SystemView }) {
  const target = useSignal<keyof typeof TARGETS>('generic');
  const job = useSignal<ExportJob | undefined>(undefined);
  const artifact = useSignal<Artifact | undefined>(undefined);
  const error = useSignal<unknown>(undefined);
  const running = job.value !== undefined && (job.value.state === 'queued' || job.value.state === 'running');
  const start = async (e: Event) => {
    e.preventDefault();
    error.value = undefined;
    artifact.value = undefined;
    try {
      let j = await api<ExportJob>(
        'POST',
        `/systems/${encodeURIComponent(s.uuid)}/export`,
        { destination: { kind: 'artifact' }, format: 'ova', target: target.value, manifest: 'sha256' },
        { Prefer: 'respond-async' },
      );
      job.value = j;
      while (j.state === 'queued' || j.state === 'running') {
        j = await api<ExportJob>('GET', `/jobs/${encodeURIComponent(j.id)}?wait=2`);
        job.value = j;
      }
      if (j.state !== 'completed' || j.result?.artifact === undefined) {
        error.value = new Error(j.error?.message ?? `The export ended ${j.state}`);
        return;
      }
      artifact.value = await api<Artifact>('GET', `/artifacts/${encodeURIComponent(j.result.artifact)}`);
    } catch (x) {
      error.value = x;
    }
  };
  const j = job.value;
  const a = artifact.value;
  return (
    <form class="edit export" onSubmit={start} aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      {s.state !== 'stopped' ? (
        <p class="note">The host exports a stopped system only: shut {s.name} down first.</p>
      ) : (
        <div class="row">
          <label>
            For
            <select
              value={target.value}
              onChange={(e) => (target.value = e.currentTarget.value as typeof target.value)}
            >
              {Object.entries(TARGETS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={running}>
            Export as OVA
          </button>
        </div>
      )}
      {j !== undefined && (
        <p role="status">
          <label>
            Export {j.state}
            {j.phase === undefined ? '' : `: ${j.phase}`} <progress max={100} value={j.percent} />
          </label>
        </p>
      )}
      {a !== undefined && (
        <p>
          <a
            href={`/api/v1/artifacts/${encodeURIComponent(a.id)}/content`}
            download={a.fileName}
            class="button"
          >
            Download {a.fileName}
          </a>{' '}
          <span class="reason">
            {formatBytes(Number(a.sizeBytes))}, SHA-256 <span class="mono">{a.sha256}</span>
          </span>
        </p>
      )}
      {(j?.result?.warnings ?? []).length > 0 && (
        <ul class="reason">
          {j?.result?.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <ErrorBox error={error.value} />
    </form>
  );
}
