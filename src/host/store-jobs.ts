import type Database from 'better-sqlite3';
import type { ApiErrorInfo, JobInfo, JobQuery, JobState, Operation } from '../api/index.js';

/**
 * The jobs table of the host's store. A job row is the Api's {@link JobInfo}: what the socket, CIM
 * (CIM_ConcreteJob) and REST show is read from here, and a job started by one is seen by all. Bounded: finished
 * jobs beyond the newest {@link KEEP_JOBS} are pruned.
 */

/** Finished jobs kept, at most. */
const KEEP_JOBS = 10_000;

/** What a new job is: its operation, what it works on and whose call started it. */
export interface NewJob {
  id: string;
  /** The host's own name of the job (`vm.start`, `vm.export`, ...), shown by the socket's `job.*`. */
  kind: string;
  operation: Operation;
  target?: JobInfo['target'];
  owner: string;
}

interface JobRow {
  id: string;
  kind: string;
  operation: string;
  target: string | null;
  target_kind: string | null;
  target_name: string | null;
  owner: string;
  state: string;
  progress: number;
  phase: string | null;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  delete_on_completion: number;
}

/** A job row as the Api's JobInfo, with the host's own kind beside it. */
export type JobRecord = JobInfo & { kind: string };

function toRecord(r: JobRow): JobRecord {
  const target =
    r.target === null
      ? undefined
      : {
          kind: (r.target_kind ?? 'system') as NonNullable<JobInfo['target']>['kind'],
          id: r.target,
          ...(r.target_name === null ? {} : { name: r.target_name }),
        };
  return {
    id: r.id,
    kind: r.kind,
    operation: r.operation as Operation,
    ...(target === undefined ? {} : { target }),
    owner: r.owner,
    state: r.state as JobState,
    percent: r.progress,
    ...(r.phase === null ? {} : { phase: r.phase }),
    ...(r.result === null ? {} : { result: JSON.parse(r.result) as unknown }),
    ...(r.error === null ? {} : { error: JSON.parse(r.error) as ApiErrorInfo }),
    createdAt: r.created_at,
    ...(r.started_at === null ? {} : { startedAt: r.started_at }),
    ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
    deleteOnCompletion: r.delete_on_completion === 1,
  };
}

/**
 * The jobs table; `Store.jobs`.
 *
 * @example
 * store.jobs.list({ states: ['running'] }).map((j) => j.id);
 */
export class JobTable {
  private readonly stmts;
  private writes = 0;

  constructor(db: Database.Database) {
    this.stmts = {
      add: db.prepare(
        `INSERT INTO jobs (id, kind, operation, target, target_kind, target_name, owner, state, progress,
           created_at, started_at, delete_on_completion)
         VALUES (@id, @kind, @operation, @target, @targetKind, @targetName, @owner, 'running', 0, @now, @now, 0)`,
      ),
      // Progress only rises; a finished job keeps its 100. Only a real change counts as one.
      progress: db.prepare(
        `UPDATE jobs SET progress = MAX(progress, @p), phase = COALESCE(@phase, phase)
         WHERE id = @id AND state IN ('queued', 'running')
           AND (progress < @p OR (@phase IS NOT NULL AND phase IS NOT @phase))`,
      ),
      finish: db.prepare(
        `UPDATE jobs SET state = ?, progress = CASE WHEN ? = 'completed' THEN 100 ELSE progress END,
           result = ?, error = ?, finished_at = ? WHERE id = ? AND state IN ('queued', 'running')`,
      ),
      get: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      delete: db.prepare('DELETE FROM jobs WHERE id = ?'),
      list: db.prepare(
        `SELECT * FROM jobs WHERE (@target IS NULL OR target = @target OR target_name = @target)
         ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
      ),
      prune: db.prepare(
        `DELETE FROM jobs WHERE state NOT IN ('queued', 'running')
         AND rowid <= (SELECT MAX(rowid) FROM jobs) - ?`,
      ),
      orphans: db.prepare(
        "UPDATE jobs SET state = 'failed', error = ?, finished_at = ? WHERE state IN ('queued', 'running')",
      ),
    };
  }

  /** Records a job that runs from now. */
  create(job: NewJob): JobRecord {
    this.stmts.add.run({
      id: job.id,
      kind: job.kind,
      operation: job.operation,
      target: job.target?.id ?? null,
      targetKind: job.target?.kind ?? null,
      targetName: job.target?.name ?? null,
      owner: job.owner,
      now: new Date().toISOString(),
    });
    if (++this.writes % 1000 === 0) this.stmts.prune.run(KEEP_JOBS);
    return this.get(job.id)!;
  }

  /** Raises a running job's percent (never lowers it) and sets its phase; true when the row changed. */
  progress(id: string, percent: number, phase?: string): boolean {
    const p = Math.max(0, Math.min(100, Math.floor(percent)));
    return this.stmts.progress.run({ p, phase: phase ?? null, id }).changes > 0;
  }

  /** Ends a running job; a job that has ended already is left as it is (false). */
  finish(
    id: string,
    state: 'completed' | 'failed' | 'cancelled',
    result?: unknown,
    error?: ApiErrorInfo,
  ): boolean {
    return (
      this.stmts.finish.run(
        state,
        state,
        result === undefined ? null : JSON.stringify(result),
        error === undefined ? null : JSON.stringify(error),
        new Date().toISOString(),
        id,
      ).changes > 0
    );
  }

  get(id: string): JobRecord | undefined {
    const r = this.stmts.get.get(id) as JobRow | undefined;
    return r === undefined ? undefined : toRecord(r);
  }

  delete(id: string): void {
    this.stmts.delete.run(id);
  }

  /** Newest first; `target` is a system's UUID or name (as the job recorded it). */
  list(q: JobQuery = {}): JobRecord[] {
    const limit = q.limit ?? 100;
    const rows = (
      this.stmts.list.all({
        target: q.target ?? null,
        limit: q.states === undefined ? limit : KEEP_JOBS,
      }) as JobRow[]
    ).map(toRecord);
    const states = q.states;
    return states === undefined ? rows : rows.filter((j) => states.includes(j.state)).slice(0, limit);
  }

  /** Marks jobs left running by a host that died as failed; answers how many. */
  failOrphans(): number {
    const error: ApiErrorInfo = {
      code: 'CANCELLED',
      message: 'The host stopped while the job ran',
      detail: { domain: 'host', code: 'HOST_RESTARTED' },
    };
    return this.stmts.orphans.run(JSON.stringify(error), new Date().toISOString()).changes;
  }
}
