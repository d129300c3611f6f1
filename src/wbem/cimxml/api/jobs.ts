import { randomUUID } from 'node:crypto';
import {
  ApiError,
  type ApiErrorInfo,
  isApiErrorCode,
  isFinalJobState,
  type JobInfo,
  type JobQuery,
  type JobsApi,
  type JobWaitOptions,
  type Operation,
} from '../../../api/index.js';
import {
  type CimInstance,
  type CimInstanceName,
  type CimStatusName,
  isInstance,
  ORG,
  statusName,
} from '../../../cim/index.js';
import type { MethodOutcome } from '../client.js';
import { type CallContext, fromCimStatus, fromReturnValue } from './errors.js';
import { jobIdOf, jobPathOf, operationOfCimJob } from './job-ids.js';
import type { LocalJob } from './local-job.js';
import type { CimSession } from './session.js';
import { isoOfCimTimestamp, jobStateOf, text, texts, UNKNOWN_TIME, whole } from './values.js';

/**
 * Jobs over CIM-XML (DSP1103): a method that answers 4096 hands back a CIM_ConcreteJob, which is polled with
 * GetInstance until it ends (or the caller's deadline passes), and whose failure is read with GetError. A method
 * that answers 0 has no job on the host: the client records one, already completed, so that every mutating call
 * answers with a job as the Api says (ids: job-ids.ts).
 */

/** The longest pause between two polls of a running job. */
const MAX_POLL_MS = 1000;

/** The method a job runs and what the client knows of it. */
interface Started<R> {
  operation: Operation;
  target?: JobInfo['target'];
  /** How the job's failure is worded and coded. */
  ctx: CallContext;
  /** The CIM method called, whose return value {@link ClientJobs.start} reads. */
  method: string;
  outcome: MethodOutcome;
  /** The job's result, computed once it completed. */
  result: () => Promise<R>;
}

interface Tracked {
  operation: Operation;
  target?: JobInfo['target'];
  ctx: CallContext;
  createdAt: string;
  /** The host's job; undefined for a method that completed at once. */
  cim?: CimInstanceName;
  result: () => Promise<unknown>;
  /** The job as it ended, once it has. */
  final?: JobInfo;
  /** A job this client runs itself (local-job.ts). */
  local?: LocalJob<unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The jobs namespace over CIM-XML, and the job every mutating call of the other namespaces answers with.
 *
 * @example
 * const job = await jobs.start({ operation: 'define', ctx, method: 'DefineSystem', outcome, result }, 5000);
 */
export class ClientJobs implements JobsApi {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly s: CimSession,
    private readonly owner: string,
  ) {}

  /**
   * The job of a method call: completed at once (0), the host's job (4096), waited for up to `waitMs`; any other
   * return value is the error `refuse` makes of it, or the one of its ValueMap.
   */
  async start<R>(
    st: Started<R>,
    waitMs = 0,
    refuse?: (value: number) => ApiError | undefined,
  ): Promise<JobInfo<R>> {
    const rv = st.outcome.returnValue;
    const base = {
      operation: st.operation,
      ...(st.target === undefined ? {} : { target: st.target }),
      ctx: st.ctx,
      createdAt: new Date().toISOString(),
      result: st.result,
    };
    if (rv === 0) {
      const id = `cimxml.${randomUUID()}`;
      const t: Tracked = base;
      const result = await st.result();
      t.final = {
        id,
        operation: t.operation,
        ...(t.target === undefined ? {} : { target: t.target }),
        owner: this.owner,
        state: 'completed',
        percent: 100,
        createdAt: t.createdAt,
        startedAt: t.createdAt,
        finishedAt: new Date().toISOString(),
        deleteOnCompletion: false,
        ...(result === undefined ? {} : { result }),
      };
      this.tracked.set(id, t);
      return structuredClone(t.final) as JobInfo<R>;
    }
    if (rv !== 4096) throw refuse?.(rv) ?? fromReturnValue(st.method, rv, st.ctx, this.s.where);
    const job = st.outcome.out.Job;
    const path =
      job !== undefined && !Array.isArray(job) && typeof job !== 'string' && !isInstance(job)
        ? job
        : undefined;
    const id = path === undefined ? undefined : jobIdOf(path);
    if (path === undefined || id === undefined)
      throw new ApiError(
        'PROTOCOL',
        `${st.ctx.what} on ${this.s.where}: ${st.method} answered 4096 (job started) without a usable Job reference`,
      );
    this.tracked.set(id, {
      ...base,
      cim: { ...path, namespace: path.namespace ?? this.s.namespace, host: undefined },
    });
    const info =
      waitMs > 0
        ? await this.wait(id, Number.isFinite(waitMs) ? { timeoutMs: waitMs } : {})
        : await this.get(id);
    return info as JobInfo<R>;
  }

  /** Tracks a job this client runs itself and waits for it up to `waitMs` (its work goes on after that). */
  async startLocal<R>(job: LocalJob<R>, ctx: CallContext, waitMs = 0): Promise<JobInfo<R>> {
    const now = job.info();
    this.tracked.set(job.id, {
      operation: now.operation,
      ...(now.target === undefined ? {} : { target: now.target }),
      ctx,
      createdAt: now.createdAt,
      result: async () => undefined,
      local: job as LocalJob<unknown>,
    });
    const info =
      waitMs > 0 ? await this.wait(job.id, Number.isFinite(waitMs) ? { timeoutMs: waitMs } : {}) : job.info();
    return info as JobInfo<R>;
  }

  async list(q: JobQuery = {}): Promise<JobInfo[]> {
    const out = new Map<string, JobInfo>();
    const hostJobs = await this.s
      .call({ what: 'Listing the jobs' }, (c) =>
        c.enumerateInstances('CIM_ConcreteJob', { namespace: this.s.namespace }),
      )
      .catch((e: unknown) => {
        // A host without DSP1103 jobs (libvirt-cim's methods are synchronous) simply has none.
        if (e instanceof ApiError && e.code === 'NOT_SUPPORTED') return [] as CimInstance[];
        throw e;
      });
    for (const inst of hostJobs) {
      const id = inst.path === undefined ? undefined : jobIdOf(inst.path);
      if (id === undefined) continue;
      const t = this.tracked.get(id);
      out.set(id, t === undefined ? await this.infoOf(inst, id, undefined, false) : await this.get(id));
    }
    for (const [id, t] of this.tracked)
      if (!out.has(id) && (t.final !== undefined || t.local !== undefined)) out.set(id, await this.get(id));
    const target = q.target?.toLowerCase();
    return [...out.values()]
      .filter((j) => q.states === undefined || q.states.includes(j.state))
      .filter(
        (j) =>
          target === undefined ||
          j.target?.id.toLowerCase() === target ||
          j.target?.name?.toLowerCase() === target,
      )
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, q.limit);
  }

  async get(id: string): Promise<JobInfo> {
    const t = this.tracked.get(id);
    if (t?.final !== undefined) return structuredClone(t.final);
    if (t?.local !== undefined) return t.local.info();
    const path = t?.cim ?? jobPathOf(id, this.s.namespace);
    if (path === undefined) throw new ApiError('NOT_FOUND', `No job "${id}" on ${this.s.where}`);
    let inst: CimInstance;
    try {
      inst = await this.s.call({ what: `Reading job ${id}`, notFound: 'NOT_FOUND' }, (c) =>
        c.getInstance(path),
      );
    } catch (e) {
      if (e instanceof ApiError && e.code === 'NOT_FOUND')
        throw new ApiError(
          'NOT_FOUND',
          t === undefined
            ? `No job "${id}" on ${this.s.where}`
            : `Job ${id} vanished from ${this.s.where} before this client saw it end`,
          { detail: e.detail },
        );
      throw e;
    }
    const info = await this.infoOf(inst, id, t, true);
    if (t !== undefined && isFinalJobState(info.state)) t.final = info;
    return structuredClone(info);
  }

  async wait(id: string, o: JobWaitOptions = {}): Promise<JobInfo> {
    const deadline = o.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + o.timeoutMs;
    let seen = -1;
    for (let delay = 25; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
      const info = await this.get(id);
      if (info.percent > seen) {
        seen = info.percent;
        o.onProgress?.({ percent: info.percent, ...(info.phase === undefined ? {} : { phase: info.phase }) });
      }
      const left = deadline - Date.now();
      if (isFinalJobState(info.state) || left <= 0) return info;
      await sleep(Math.min(delay, left));
    }
  }

  async cancel(id: string): Promise<JobInfo> {
    const now = await this.get(id);
    if (isFinalJobState(now.state)) return now;
    const local = this.tracked.get(id)?.local;
    if (local !== undefined) {
      await local.cancel();
      return this.get(id);
    }
    const path = this.tracked.get(id)?.cim ?? jobPathOf(id, this.s.namespace)!;
    const ctx = { what: `Cannot cancel job ${id}`, notFound: 'NOT_FOUND' as const };
    // CIM_ConcreteJob.RequestStateChange: 4 Terminate (DSP1103).
    const r = await this.s.call(ctx, (c) =>
      c.invokeMethod(path, 'RequestStateChange', { RequestedState: { type: 'uint16', value: '4' } }),
    );
    if (r.returnValue !== 0 && r.returnValue !== 4096)
      throw fromReturnValue('RequestStateChange', r.returnValue, ctx, this.s.where);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const now = await this.get(id);
    if (!isFinalJobState(now.state))
      throw new ApiError('INVALID_STATE', `Job ${id} has not ended: it is ${now.state}`, {
        hint: `Wait for it, or cancel it: jobs.cancel("${id}")`,
      });
    const path = this.tracked.get(id)?.cim ?? jobPathOf(id, this.s.namespace);
    if (path !== undefined)
      await this.s.call({ what: `Cannot delete job ${id}`, notFound: 'NOT_FOUND' }, (c) =>
        c.deleteInstance(path),
      );
    this.tracked.delete(id);
  }

  /** A host's job as JobInfo; with `full`, a failed job's error is read with GetError and a result computed. */
  private async infoOf(
    inst: CimInstance,
    id: string,
    t: Tracked | undefined,
    full: boolean,
  ): Promise<JobInfo> {
    const raw = whole(inst, 'JobState');
    const state = jobStateOf(raw);
    if (state === undefined)
      throw new ApiError(
        'PROTOCOL',
        `Job ${id} on ${this.s.where} has JobState ${String(raw)}, which DSP1103 does not define`,
      );
    const final = isFinalJobState(state);
    const percent =
      state === 'completed' ? 100 : Math.min(100, Math.max(0, whole(inst, 'PercentComplete') ?? 0));
    const createdAt = isoOfCimTimestamp(text(inst, 'TimeSubmitted')) ?? t?.createdAt ?? UNKNOWN_TIME;
    const startedAt = isoOfCimTimestamp(text(inst, 'StartTime'));
    const finishedAt = final
      ? (isoOfCimTimestamp(text(inst, 'TimeOfLastStateChange')) ?? new Date().toISOString())
      : undefined;
    const phase = final ? undefined : text(inst, 'JobStatus');
    const info: JobInfo = {
      id,
      operation: t?.operation ?? operationOfCimJob(inst),
      ...(t?.target === undefined ? {} : { target: t.target }),
      owner: text(inst, 'Owner') ?? this.owner,
      state,
      percent,
      ...(phase === undefined ? {} : { phase: phase.slice(0, 256) }),
      createdAt,
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(finishedAt === undefined ? {} : { finishedAt }),
      deleteOnCompletion: /^true$/i.test(text(inst, 'DeleteOnCompletion') ?? ''),
    };
    if (state === 'failed' || state === 'cancelled')
      info.error = await this.errorOf(inst, id, t, full, state);
    if (state === 'completed' && full && t !== undefined) {
      const result = await t.result();
      if (result !== undefined) info.result = result;
    }
    return info;
  }

  /**
   * Why a job failed: GetError's CIM_Error (its CIMStatusCode and Message, DSP1103), else ErrorCode when it is a
   * CIM status and ErrorDescription. A job that was cancelled (JobState 8 Terminated, 9 Killed) is CANCELLED,
   * whatever status its host gives the termination, with the host's words.
   */
  private async errorOf(
    inst: CimInstance,
    id: string,
    t: Tracked | undefined,
    full: boolean,
    state: 'failed' | 'cancelled',
  ): Promise<ApiErrorInfo> {
    const ctx = t?.ctx ?? { what: `Job ${id}` };
    let status: CimStatusName | undefined;
    let message = '';
    if (full && inst.path !== undefined) {
      const path = { ...inst.path, namespace: inst.path.namespace ?? this.s.namespace, host: undefined };
      const r = await this.s.client.invokeMethod(path, 'GetError').catch(() => undefined);
      const err = r?.returnValue === 0 ? r.out.Error : undefined;
      if (err !== undefined && isInstance(err)) {
        const cimStatus = statusName(whole(err, 'CIMStatusCode') ?? 1) ?? 'CIM_ERR_FAILED';
        status = cimStatus;
        message = text(err, 'Message') ?? text(err, 'CIMStatusCodeDescription') ?? '';
        // A Vessel host names the Api's code as the first MessageArgument (src/cim/jobs.ts jobError).
        const [code] = text(err, 'OwningEntity') === ORG ? texts(err, 'MessageArguments') : [];
        if (state === 'failed' && code !== undefined && isApiErrorCode(code))
          return new ApiError(code, `${ctx.what} on ${this.s.where}: ${message || cimStatus}`, {
            detail: { domain: 'cim', code: cimStatus },
          }).toInfo();
      }
    }
    if (status === undefined) {
      const code = whole(inst, 'ErrorCode');
      status = code === undefined ? undefined : statusName(code);
      message = text(inst, 'ErrorDescription') ?? '';
    }
    if (state === 'cancelled')
      return new ApiError(
        'CANCELLED',
        `Job ${id} was cancelled on ${this.s.where}${message ? `: ${message}` : ''}`,
      ).toInfo();
    return fromCimStatus(status ?? 'CIM_ERR_FAILED', message, ctx, this.s.where).toInfo();
  }
}
