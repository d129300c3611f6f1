import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultOf } from '../../api/index.js';
import { TEST_GUEST_IGNORES_SHUTDOWN } from '../../hypervisor/index.js';
import { buildDefinition } from '../../model/index.js';
import { VIRT_NAMESPACE } from '../classes/index.js';
import { newContext } from '../provider.js';
import { type CimSubject, openCimSubject } from '../subject.case.test.js';
import type { CimInstance, CimInstanceName } from '../types.js';

const NS = VIRT_NAMESPACE;
const admin = () => newContext('alice', 'admin');
const vm: CimInstanceName = {
  className: 'Vessel_ComputerSystem',
  keys: { CreationClassName: 'Vessel_ComputerSystem', Name: 'web1' },
};

let s: CimSubject;

beforeEach(async () => {
  s = await openCimSubject({ shutdownTimeoutMs: 400 });
  const def = buildDefinition({ name: 'web1', cpus: 1, memoryBytes: 64n << 20n });
  def.system[TEST_GUEST_IGNORES_SHUTDOWN] = 'true';
  await s.define(def);
  resultOf(await s.api.systems.changeState('web1', 'start', { waitMs: Number.POSITIVE_INFINITY }));
});
afterEach(async () => {
  await s.close();
});

const rsc = (state: number) =>
  s.cim.om.invokeMethod(admin(), NS, vm, 'RequestStateChange', { RequestedState: String(state) });
const system = async () => (await s.cim.om.getInstance(admin(), NS, vm)).properties;

async function finished(job: CimInstanceName): Promise<CimInstance> {
  for (;;) {
    const j = await s.cim.om.getInstance(admin(), NS, job);
    if (!['3', '4', '5'].includes(String(j.properties.JobState))) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RequestStateChange jobs follow their own operation (issue 11)', () => {
  it('a hard power-off behind a shutdown that waits for the guest succeeds; the shutdown job ends as the Api says', async () => {
    s.cim.env.syncMs = 0;
    const down = await rsc(4);
    expect(down.returnValue).toBe(4096);
    const off = await rsc(3);
    expect([0, 4096]).toContain(off.returnValue);
    if (off.returnValue === 4096) {
      expect((await finished(off.out.Job as CimInstanceName)).properties.JobState).toBe('7');
    }
    const shutdownJob = await finished(down.out.Job as CimInstanceName);
    const apiJob = await s.api.jobs.get(
      String(shutdownJob.properties.InstanceID).slice('Vessel:Job/'.length),
    );
    expect(apiJob.state).toBe('cancelled');
    expect(shutdownJob.properties).toMatchObject({ JobState: '8', JobStatus: 'Terminated' });
    expect(await system()).toMatchObject({ EnabledState: '3', RequestedState: '3' });
  });

  it('a hard power-off behind two queued shutdowns succeeds at once; neither shutdown job completes with it', async () => {
    s.cim.env.syncMs = 0;
    s.cim.env.shutdownTimeoutMs = 30_000;
    const first = await rsc(4);
    const second = await rsc(4);
    expect([first.returnValue, second.returnValue]).toEqual([4096, 4096]);
    s.cim.env.syncMs = 5000;
    const off = await rsc(3);
    // 0, not 4096: done within the sync window, not behind the two shutdowns' 30 s.
    expect(off.returnValue).toBe(0);
    for (const r of [first, second]) {
      const j = await finished(r.out.Job as CimInstanceName);
      expect(j.properties.JobState).not.toBe('7');
    }
    expect(await system()).toMatchObject({ EnabledState: '3', RequestedState: '3' });
  });

  it('a shutdown the guest ignores ends in a forced power-off, and its job says so', async () => {
    s.cim.env.syncMs = 0;
    const down = await rsc(4);
    const job = await finished(down.out.Job as CimInstanceName);
    expect(job.properties.JobState).toBe('7');
    expect(job.properties.JobStatus).toBe(
      'Completed (powered off: the guest did not shut down within 400 ms)',
    );
    expect(job.properties.StatusDescriptions).toEqual([
      'powered off: the guest did not shut down within 400 ms',
    ]);
    expect(await system()).toMatchObject({ EnabledState: '3', RequestedState: '4' });
  });

  it('RequestedState is the last accepted request when requests race', async () => {
    s.cim.env.syncMs = 2000;
    const answers = await Promise.all([rsc(9), rsc(2), rsc(9)]);
    expect(answers.map((a) => a.returnValue).every((v) => v === 0 || v === 4097)).toBe(true);
    const jobs = (await s.api.jobs.list()).filter((j) => j.state === 'completed' && j.operation !== 'define');
    const last = jobs.sort((a, b) => String(a.finishedAt).localeCompare(String(b.finishedAt))).at(-1)!;
    const now = await system();
    expect(now.RequestedState).toBe(last.operation === 'pause' ? '9' : '2');
    expect(now.EnabledState).toBe(last.operation === 'pause' ? '9' : '2');
  });

  it('a job with DeleteOnCompletion FALSE stays until deleted, and DeleteInstance deletes it', async () => {
    s.cim.env.syncMs = 0;
    const job = (await rsc(9)).out.Job as CimInstanceName;
    const done = await finished(job);
    expect(done.properties.DeleteOnCompletion).toBe('false');
    // CIM_Job.mof: such a job is deleted with DeleteInstance, never on a timer (issue 11).
    expect(done.properties.TimeBeforeRemoval).toBe('99999999235959.999999:000');
    await s.cim.om.deleteInstance(admin(), NS, job);
    await expect(s.cim.om.getInstance(admin(), NS, job)).rejects.toMatchObject({ code: 'CIM_ERR_NOT_FOUND' });
  });
});
