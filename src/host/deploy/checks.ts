import { chunkName, safeMemberName } from '../../ova/index.js';
import {
  allContents,
  findSection,
  findSections,
  type OvfContent,
  type OvfEnvelope,
  validateOvf,
} from '../../ovf/index.js';
import { HostError } from '../errors.js';

/**
 * The package-wide checks a deploy makes before it reads any disk: the descriptor is valid (DSP0243, relaxed by
 * `--lax`), the deployment option exists, every EULA is accepted, every `--net` names a network of the package,
 * every file name stays inside the package, and no disk lives outside it.
 */

/** True when an href names a file outside the package (a URL), as the OVA packer judges it. */
export function isRemoteHref(href: string): boolean {
  return /^(https?|ftp|file):/i.test(href) || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(href);
}

const list = (xs: string[], max = 8) =>
  xs.slice(0, max).join('; ') + (xs.length > max ? `; ... and ${xs.length - max} more` : '');

/** Refuses a descriptor with validation errors; returns the warnings as lines. */
export function checkDescriptor(env: OvfEnvelope, lax: boolean): string[] {
  const diags = validateOvf(env, { lax });
  const errors = diags.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new HostError(
      'DEPLOY_INVALID',
      `The descriptor is not valid OVF: ${list(errors.map((d) => `${d.message}${d.line ? ` (line ${d.line})` : ''}`))}`,
      { hint: lax ? undefined : 'Some conformance errors are accepted with --lax, as ovftool --lax does' },
    );
  }
  return diags.filter((d) => d.severity === 'warning').map((d) => d.message);
}

/** The deployment option to use: the one asked for (which must exist), else the package's default. */
export function chooseConfiguration(env: OvfEnvelope, asked: string | undefined): string | undefined {
  const dos = findSection(env.sections, 'DeploymentOptionSection');
  const ids = dos?.configurations.map((c) => c.id) ?? [];
  if (asked !== undefined) {
    if (!ids.includes(asked)) {
      throw new HostError('USAGE', `The package has no deployment option "${asked}"`, {
        hint: ids.length ? `Its options: ${ids.join(', ')}` : 'The package has no DeploymentOptionSection',
      });
    }
    return asked;
  }
  if (!dos) return undefined;
  return (dos.configurations.find((c) => /^(true|1)$/i.test(c.default ?? '')) ?? dos.configurations[0])?.id;
}

/** Refuses the deploy when the package has license agreements and they were not accepted (DSP0243 §9.6). */
export function checkEulas(env: OvfEnvelope, accepted: boolean): number {
  const eulas = allContents(env).flatMap((c: OvfContent) => findSections(c.sections, 'EulaSection'));
  if (eulas.length > 0 && !accepted) {
    const text = eulas[0]!.license.text.trim();
    throw new HostError(
      'DEPLOY_EULA',
      `The package has ${eulas.length === 1 ? 'a license agreement' : `${eulas.length} license agreements`} that must be accepted before it is deployed`,
      {
        hint: `Read it (vessel ovf info PACKAGE) and deploy with --accept-eula. It begins: ${text.slice(0, 400)}${text.length > 400 ? '...' : ''}`,
      },
    );
  }
  return eulas.length;
}

/** Checks `--net OVFNET=HOSTNET` against the package's NetworkSection; returns the mapping. */
export function checkNetworks(
  env: OvfEnvelope,
  given: Readonly<Record<string, string>>,
): Map<string, string> {
  const names = findSection(env.sections, 'NetworkSection')?.networks.map((n) => n.name) ?? [];
  for (const k of Object.keys(given)) {
    if (!names.includes(k)) {
      throw new HostError('USAGE', `The package has no network "${k}"`, {
        hint: names.length ? `Its networks: ${names.join(', ')}` : 'The package declares no networks',
      });
    }
  }
  return new Map(Object.entries(given));
}

/** Refuses disks whose file is a URL: a deploy reads only what the package holds. */
export function checkNoRemoteDisks(env: OvfEnvelope): void {
  const files = new Map(env.references.map((f) => [f.id, f]));
  for (const d of findSection(env.sections, 'DiskSection')?.disks ?? []) {
    const f = d.fileRef === undefined ? undefined : files.get(d.fileRef);
    if (f && isRemoteHref(f.href)) {
      throw new HostError(
        'DEPLOY_PACKAGE',
        `Disk "${d.diskId}" is the remote file "${f.href}"; Vessel deploys only files the package holds`,
        { hint: 'Download it beside the descriptor and point ovf:href at it' },
      );
    }
  }
}

/**
 * Checks every References/File href before anything is read (DSP0243 §5.2): a `file:` URL names a host file
 * (`DEPLOY_HOST_PATH`); any other href that is not a URL must be a safe relative member name, and so must the
 * names of its chunks (`href.000000000`, DSP0243 §5.3): not absolute, no `..`, backslash, drive letter or
 * control character (`OVA_UNSAFE_NAME`, from the OVA module that reads them). URLs are refused later, by
 * {@link checkNoRemoteDisks} or when a drive uses one.
 */
export function checkPackageHrefs(env: OvfEnvelope): void {
  for (const f of env.references) {
    if (/^\s*file:/i.test(f.href)) {
      throw new HostError(
        'DEPLOY_HOST_PATH',
        `File "${f.id}" of References is the host file ${JSON.stringify(f.href)}; a package may name only its own files`,
        { hint: 'Put the file in the package and give its name relative to the descriptor as ovf:href' },
      );
    }
    if (isRemoteHref(f.href)) continue;
    const href = safeMemberName(f.href);
    if (f.chunkSize !== undefined) safeMemberName(chunkName(href, 0));
  }
}
