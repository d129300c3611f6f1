import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type PackagesApi } from '../../../api/index.js';
import type {
  HostClient,
  DeployResult as HostDeployResult,
  ExportResult as HostExportResult,
} from '../../../host/index.js';
import { partialNamespace } from '../unsupported.js';
import type { LegacyJobs } from './jobs.js';
import { deployResultOf, exportResultOf } from './values.js';

/**
 * The `packages` namespace over the old socket protocol: deploy from and export to a host path (that protocol
 * takes no uploads and makes no artifacts). A CA bundle given as PEM goes to the host as a private temporary
 * file, removed when the connection closes.
 */
export function legacyPackages(
  client: HostClient,
  jobs: LegacyJobs,
  host: string,
): { api: PackagesApi; close: () => void } {
  let tmp: string | undefined;
  const caFile = (pem: string): string => {
    tmp ??= mkdtempSync(join(tmpdir(), 'vessel-ca-'));
    const file = join(tmp, `ca-${Date.now().toString(36)}.pem`);
    writeFileSync(file, pem, { mode: 0o600 });
    return file;
  };
  const api = partialNamespace(
    'packages',
    {
      async deploy(source, o = {}) {
        if (source.kind !== 'hostPath')
          throw new ApiError('NOT_SUPPORTED', `Cannot deploy a package from a ${source.kind} on ${host}`);
        if (o.pool !== undefined)
          throw new ApiError('NOT_SUPPORTED', `Cannot choose the pool of a deploy on ${host}`);
        const { job } = await client.call<{ job: string }>('vm.deploy', {
          package: source.path,
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(o.configuration === undefined ? {} : { configuration: o.configuration }),
          properties: o.properties ?? {},
          networks: o.networks ?? {},
          powerOn: o.powerOn === true,
          acceptEula: o.acceptEula === true,
          lax: o.lax === true,
          requireSignature: o.requireSignature === true,
          ...(o.caPem === undefined ? {} : { ca: caFile(o.caPem) }),
          wait: false,
        });
        jobs.track(job, (raw) => deployResultOf(raw as HostDeployResult));
        return (o.waitMs ?? 0) > 0 ? jobs.api().wait(job) : jobs.get(job);
      },
      async export(ref, o) {
        const d = o.destination;
        if (d.kind !== 'hostPath')
          throw new ApiError('NOT_SUPPORTED', `Cannot export to a ${d.kind} on ${host}: give a host path`);
        const { job } = await client.call<{ job: string }>('vm.export', {
          vm: ref,
          wait: false,
          format: o.format,
          output: d.path,
          ...(o.ovfVersion === undefined ? {} : { ovfVersion: o.ovfVersion }),
          ...(o.target === undefined ? {} : { target: o.target }),
          ...(o.manifest === undefined ? {} : { manifest: o.manifest }),
          ...(o.signer === undefined ? {} : { keyPem: o.signer.keyPem }),
          ...(o.signer?.certPem === undefined ? {} : { certPem: o.signer.certPem }),
          keepMacs: o.keepMacs === true,
          overwrite: d.overwrite === true,
        });
        jobs.track(job, (raw) => exportResultOf(raw as HostExportResult, d.path, d.overwrite === true));
        return (o.waitMs ?? 0) > 0 ? jobs.api().wait(job) : jobs.get(job);
      },
    } as Partial<PackagesApi>,
    host,
  );
  return {
    api,
    close: () => {
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    },
  };
}
