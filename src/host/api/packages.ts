import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import {
  ApiError,
  type DeployResult,
  DeployResultSchema,
  type ExportOptions,
  type ExportResult,
  ExportResultSchema,
  type PackagesApi,
} from '../../api/index.js';
import { VESSEL_PLATFORM_VERSION } from '../deploy.js';
import { prepareDeploy } from '../deploy-prepare.js';
import { packageBaseName } from '../export-disks.js';
import type { JobHandle } from '../host.js';
import { checkImageName } from '../pools/index.js';
import type { SessionContext } from './context.js';
import { runJob } from './job-run.js';
import {
  deployRequestOf,
  exportOptionsOf,
  toDeployResult,
  toExportResult,
  toPlanView,
} from './package-convert.js';
import { openPackageSource, requireLocal } from './package-source.js';

/**
 * The `packages` namespace of the local host: OVF packages in (inspect, deploy) and out (export), with every rule
 * the host's deploy has (descriptor validity, EULA, properties, confinement of the package's items to its own
 * files, hardware the driver can run) and issue 9's confinement of what a caller may name: a remote principal
 * gives a package as an upload or a pool image, and exports to an artifact or a pool, never to or from a host path.
 *
 * @example
 * const job = await packagesApi(ctx).deploy({ kind: 'pool', pool: 'default', image: 'web.ova' }, { waitMs: -1 });
 */
export function packagesApi(ctx: SessionContext): PackagesApi {
  const { host } = ctx;
  return {
    async inspect(source, o = {}) {
      const src = await openPackageSource(ctx, source);
      try {
        const target = {
          stateDir: host.stateDir,
          driver: host.driver,
          platformVersion: VESSEL_PLATFORM_VERSION,
          nameTaken: (name: string) => host.store.getVm(name) !== undefined,
        };
        const view = toPlanView(
          await src.relabel(() => prepareDeploy(target, deployRequestOf(src.path, o), true)),
        );
        return { ...view, warnings: view.warnings.map(src.shown) };
      } finally {
        await src.done();
      }
    },

    async deploy(source, o = {}) {
      const src = await openPackageSource(ctx, source);
      let req: ReturnType<typeof deployRequestOf>;
      try {
        req = deployRequestOf(src.path, o);
      } catch (e) {
        await src.done();
        throw e;
      }
      return runJob<DeployResult>(ctx, {
        kind: 'vm.deploy',
        operation: 'deploy',
        target: { kind: 'package', id: src.label },
        waitMs: o.waitMs,
        work: async (job) => {
          const r = toDeployResult(await src.relabel(() => host.deployInJob(req, job)));
          return Value.Encode(DeployResultSchema, { ...r, warnings: r.warnings.map(src.shown) });
        },
        decode: (wire) => Value.Decode(DeployResultSchema, wire),
        finally: src.done,
      });
    },

    async export(ref, o) {
      const vm = await host.lookup(ref);
      const where = destination(ctx, o);
      return runJob<ExportResult>(ctx, {
        kind: 'vm.export',
        operation: 'export',
        target: { kind: 'system', id: vm.uuid, name: vm.name },
        waitMs: o.waitMs,
        work: async (job) => Value.Encode(ExportResultSchema, await exportTo(ctx, vm, o, where, job)),
        decode: (wire) => Value.Decode(ExportResultSchema, wire),
      });
    },
  };
}

/** Where an export writes, checked before its job starts: the artifact area, a pool image or a host path. */
type Where = { kind: 'artifact' } | { kind: 'path'; output: string; overwrite: boolean };

function destination(ctx: SessionContext, o: ExportOptions): Where {
  const d = o.destination;
  if (d.kind !== 'hostPath' && o.format !== 'ova') {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `An export to ${d.kind === 'pool' ? 'a storage pool' : 'an artifact'} is one file: an OVA, not an OVF folder`,
      { hint: 'Use format "ova", or export an OVF folder to a host path (on the host)' },
    );
  }
  switch (d.kind) {
    case 'artifact':
      return { kind: 'artifact' };
    case 'pool': {
      const pool = ctx.host.pools.get(d.pool);
      checkImageName(d.image);
      return { kind: 'path', output: join(pool.path, d.image), overwrite: false };
    }
    case 'hostPath':
      requireLocal(
        ctx.principal,
        `export to the host path ${JSON.stringify(d.path.slice(0, 200))}`,
        'Export to an artifact and download it, or to a storage pool',
      );
      return { kind: 'path', output: d.path, overwrite: d.overwrite === true };
  }
}

/** The export job's work: to the artifact area (then measured and named), a pool image or a host path. */
async function exportTo(
  ctx: SessionContext,
  vm: { uuid: string; name: string },
  o: ExportOptions,
  where: Where,
  job: JobHandle,
): Promise<ExportResult> {
  const { host } = ctx;
  if (where.kind === 'path') {
    const r = await host.exportInJob(vm.uuid, exportOptionsOf(o, where.output, where.overwrite), job);
    return toExportResult(r, o, undefined);
  }
  const slot = host.artifacts.reserve(job.id, `${packageBaseName(vm.name)}.ova`);
  try {
    const r = await host.exportInJob(vm.uuid, exportOptionsOf(o, slot.path, false), job);
    await host.artifacts.commit(slot.id);
    return toExportResult(r, o, slot.id);
  } catch (e) {
    host.artifacts.discard(slot.id);
    throw e;
  }
}
