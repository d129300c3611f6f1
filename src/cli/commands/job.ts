import type { Command } from 'commander';
import { ApiError, JOB_STATES, type JobInfo, type JobState, resultOf } from '../../api/index.js';
import { VesselError } from '../../model/index.js';
import { withApi } from '../connect.js';
import { exitCodeFor } from '../exit.js';
import { action, CommandExit, printJson, println } from '../output.js';
import { registerGroup } from '../program.js';

/**
 * `vessel job`: the host's jobs (api.jobs). Every mutating call of the host runs as a job; `--no-wait` on a
 * command answers its id, and these commands follow it. `job wait` exits with the job's own error's exit code
 * when it failed or was cancelled, and 1 when `--timeout` passed with the job still running.
 */

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `--state S` (repeatable): a job state, checked against the Api's vocabulary. */
function jobStates(list: string[] | undefined): JobState[] | undefined {
  if (list === undefined) return undefined;
  for (const s of list) {
    if (!(JOB_STATES as readonly string[]).includes(s))
      throw new VesselError('USAGE', `--job-state "${s}": use ${JOB_STATES.join(', ')}`);
  }
  return [...new Set(list)] as JobState[];
}

/** A whole number option within bounds, else a usage error. */
function wholeNumber(text: string, option: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max)
    throw new VesselError('USAGE', `${option} "${text}": use a whole number from ${min} to ${max}`);
  return Number(text);
}

/** What a job works on, as one word. */
const targetOf = (j: JobInfo) => (j.target === undefined ? '-' : (j.target.name ?? j.target.id));

function printJobs(jobs: JobInfo[]): void {
  const w = Math.max(2, ...jobs.map((j) => j.id.length));
  const t = Math.max(6, ...jobs.map((j) => targetOf(j).length));
  println(
    `${'ID'.padEnd(w)}  ${'OPERATION'.padEnd(12)}  ${'TARGET'.padEnd(t)}  ${'STATE'.padEnd(9)}  DONE  CREATED`,
  );
  for (const j of jobs) {
    const cols = [j.id.padEnd(w), j.operation.padEnd(12), targetOf(j).padEnd(t), j.state.padEnd(9)];
    println(`${cols.join('  ')}  ${`${j.percent}%`.padStart(4)}  ${j.createdAt}`);
  }
}

function printJob(j: JobInfo): void {
  println(`id:        ${j.id}`);
  println(`operation: ${j.operation}`);
  if (j.target !== undefined) println(`target:    ${j.target.kind} ${targetOf(j)} (${j.target.id})`);
  println(`owner:     ${j.owner}`);
  println(`state:     ${j.state} (${j.percent}%${j.phase === undefined ? '' : `, ${j.phase}`})`);
  println(`created:   ${j.createdAt}`);
  if (j.startedAt !== undefined) println(`started:   ${j.startedAt}`);
  if (j.finishedAt !== undefined) println(`finished:  ${j.finishedAt}`);
  if (j.error !== undefined) println(`error:     ${j.error.code}: ${j.error.message}`);
}

/** Prints a job that ended, and exits with its error's exit code when it did not complete. */
function finish(job: JobInfo, json: boolean | undefined): number {
  try {
    resultOf(job);
  } catch (e) {
    if (!json) throw e;
    printJson(job);
    throw new CommandExit(exitCodeFor(e));
  }
  if (json) printJson(job);
  else println(`Job ${job.id} completed (${job.operation})`);
  return 0;
}

registerGroup((program: Command) => {
  const cmd = program
    .command('job')
    .description('The jobs of the host: every change runs as one (list, follow, cancel, forget)');

  cmd
    .command('list')
    .description('List the jobs the host keeps, newest first')
    .option('--job-state <state>', `only jobs in this state (repeatable): ${JOB_STATES.join(', ')}`, collect)
    .option('--target <vm>', 'only the jobs of this system (name or UUID)')
    .option('--limit <n>', 'at most this many (1 to 10000)')
    .option('--json', 'print JSON (an array of jobs)')
    .action(
      action(
        async (
          opts: { jobState?: string[]; target?: string; limit?: string; json?: boolean },
          c: Command,
        ) => {
          const states = jobStates(opts.jobState);
          const q = {
            ...(states === undefined ? {} : { states }),
            ...(opts.target === undefined ? {} : { target: opts.target }),
            ...(opts.limit === undefined ? {} : { limit: wholeNumber(opts.limit, '--limit', 1, 10_000) }),
          };
          const jobs = await withApi(c, (api) => api.jobs.list(q));
          if (opts.json) printJson(jobs);
          else printJobs(jobs);
          return 0;
        },
      ),
    );

  cmd
    .command('get')
    .description('Show one job: operation, target, state, progress, error')
    .argument('<id>', 'the job id')
    .option('--json', 'print JSON')
    .action(
      action(async (id: string, opts: { json?: boolean }, c: Command) => {
        const job = await withApi(c, (api) => api.jobs.get(id));
        if (opts.json) printJson(job);
        else printJob(job);
        return 0;
      }),
    );

  cmd
    .command('wait')
    .description("Wait for a job to end; exits with its error's exit code when it failed or was cancelled")
    .argument('<id>', 'the job id')
    .option('--timeout <seconds>', 'give up after this long (exit 1, the job keeps running)')
    .option('--json', 'print JSON (the job)')
    .action(
      action(async (id: string, opts: { timeout?: string; json?: boolean }, c: Command) => {
        const seconds =
          opts.timeout === undefined ? undefined : wholeNumber(opts.timeout, '--timeout', 0, 86_400);
        const tty = process.stderr.isTTY && !opts.json;
        const job = await withApi(c, (api) =>
          api.jobs.wait(id, {
            ...(seconds === undefined ? {} : { timeoutMs: seconds * 1000 }),
            onProgress: (p) => {
              if (tty) process.stderr.write(`\rjob ${id}: ${p.percent}%`);
            },
          }),
        );
        if (tty) process.stderr.write('\n');
        if (job.state === 'queued' || job.state === 'running') {
          const e = new ApiError(
            'TIMEOUT',
            `Job ${id} is still ${job.state} after ${seconds} s (${job.percent}%)`,
            {
              hint: `Wait again: vessel job wait ${id}`,
            },
          );
          if (!opts.json) throw e;
          printJson(job);
          throw new CommandExit(exitCodeFor(e));
        }
        return finish(job, opts.json);
      }),
    );

  cmd
    .command('cancel')
    .description('Ask a running job to stop (a job that has ended is shown as it is)')
    .argument('<id>', 'the job id')
    .option('--json', 'print JSON (the job)')
    .action(
      action(async (id: string, opts: { json?: boolean }, c: Command) => {
        const job = await withApi(c, (api) => api.jobs.cancel(id));
        if (opts.json) printJson(job);
        else println(`Job ${job.id}: ${job.state}`);
        return 0;
      }),
    );

  cmd
    .command('delete')
    .description('Forget a job that has ended (a running one is refused)')
    .argument('<id>', 'the job id')
    .option('--json', 'print JSON')
    .action(
      action(async (id: string, opts: { json?: boolean }, c: Command) => {
        await withApi(c, (api) => api.jobs.delete(id));
        if (opts.json) printJson({ deleted: id });
        else println(`Deleted job ${id}`);
        return 0;
      }),
    );
});
