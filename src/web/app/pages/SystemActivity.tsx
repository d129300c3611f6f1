import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { JobView, LogEvent } from '../host-types.js';
import { api } from '../http.js';
import { ErrorBox } from '../ui.js';

/** What an event says, in a few words. */
export function eventText(e: LogEvent): string {
  const who = e.cause?.user === undefined ? '' : ` by ${e.cause.user}`;
  if (e.type === 'system.state') return `${e.state ?? '?'} (${e.reason?.text ?? e.cause?.kind ?? ''})${who}`;
  if (e.job !== undefined) {
    const j = e.job;
    return `${j.operation} ${j.target?.name ?? ''} ${j.state}${j.error === undefined ? '' : `: ${j.error.message}`}`;
  }
  return e.type.replace(/^system\./, '');
}

/** A table of events, newest first. */
export function EventTable({ events, label }: { events: LogEvent[]; label: string }) {
  if (events.length === 0) return <p>No events.</p>;
  return (
    <table class="events" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">What</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.seq} data-event={e.type}>
            <td data-label="Time">{new Date(e.time).toLocaleString()}</td>
            <td data-label="Event">{e.type}</td>
            <td data-label="What">
              {e.system !== undefined && e.job === undefined ? `${e.system}: ` : ''}
              {eventText(e)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table of jobs, newest first. */
export function JobTable({ jobs, label }: { jobs: JobView[]; label: string }) {
  if (jobs.length === 0) return <p>No jobs.</p>;
  return (
    <table class="jobs" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Operation</th>
          <th scope="col">By</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.id} data-job={j.operation}>
            <td data-label="Started">{new Date(j.createdAt).toLocaleString()}</td>
            <td data-label="Operation">
              {j.operation}
              {j.target?.name === undefined ? '' : ` ${j.target.name}`}
            </td>
            <td data-label="By">{j.owner}</td>
            <td data-label="State">
              {j.state}
              {j.state === 'running' ? ` ${j.percent} %` : ''}
              {j.error === undefined ? '' : `: ${j.error.message}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The latest events and jobs of one system, read again whenever `version` changes (a state or definition change). */
export function SystemActivity({ uuid, version }: { uuid: string; version: string }) {
  const events = useSignal<LogEvent[]>([]);
  const jobs = useSignal<JobView[]>([]);
  const error = useSignal<unknown>(undefined);
  useEffect(() => {
    let stop = false;
    const id = encodeURIComponent(uuid);
    Promise.all([
      api<{ items: LogEvent[] }>('GET', `/events/log?system=${id}&limit=10000`),
      api<{ items: JobView[] }>('GET', `/jobs?target=${id}&limit=20`),
    ])
      .then(([e, j]) => {
        if (stop) return;
        events.value = e.items.slice(-20).reverse();
        jobs.value = j.items;
      })
      .catch((e: unknown) => {
        if (!stop) error.value = e;
      });
    return () => {
      stop = true;
    };
  }, [uuid, version]);
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Events and jobs</h2>
      <ErrorBox error={error.value} />
      <h3>Events</h3>
      <EventTable events={events.value} label="Events of this system" />
      <h3>Jobs</h3>
      <JobTable jobs={jobs.value} label="Jobs of this system" />
    </section>
  );
}
