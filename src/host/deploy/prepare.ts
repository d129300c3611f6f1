import { resolve } from 'node:path';
import { HypervisorError } from '../../hypervisor/index.js';
import { allContents, findSection, findSections, type OvfEnvelope } from '../../ovf/index.js';
import { HostError } from '../errors.js';
import {
  checkDescriptor,
  checkEulas,
  checkNetworks,
  checkNoRemoteDisks,
  checkPackageHrefs,
  chooseConfiguration,
} from './checks.js';
import { checkEnvelopeReferences } from './confine.js';
import { type DeployPackage, openDeployPackage } from './package.js';
import { type DeployHooks, planSystems, type SystemPlan, systemName } from './plan.js';
import { isSecret, propertySlots, type ResolvedProperties, resolveProperties } from './properties.js';
import { systemDir } from './staging.js';

/**
 * The first half of a deploy, shared by the deploy itself and its dry run (`packages.inspect`): the package opened
 * and its descriptor read (no disk), every check that can refuse it, and each system planned as it would be
 * registered. A deploy refuses at the first problem; a dry run refuses only what makes the package unusable
 * (confinement, validity, hardware), and lists what the caller still has to give (EULAs, property values, a free
 * name) as warnings.
 */

/** What preparing needs of the host. */
export interface PrepareTarget {
  stateDir: string;
  /** The driver's deploy hooks: hardware mapping and validation. */
  driver: DeployHooks;
  platformVersion: string;
  nameTaken(name: string): boolean;
}

/** What preparing needs of the request (a subset of `DeployRequest`). */
interface PrepareRequest {
  package: string;
  name?: string | undefined;
  configuration?: string | undefined;
  properties?: Record<string, string> | undefined;
  networks?: Record<string, string> | undefined;
  acceptEula?: boolean | undefined;
  lax?: boolean | undefined;
}

/** A package ready to deploy. */
export interface PreparedDeploy {
  path: string;
  pkg: DeployPackage;
  configuration: string | undefined;
  props: ResolvedProperties;
  plans: SystemPlan[];
  warnings: string[];
}

/**
 * Opens and checks a package and plans its systems. `dryRun` turns the refusals a caller can fix by asking
 * differently (EULA not accepted, property values, names taken) into warnings.
 */
export async function prepareDeploy(
  target: PrepareTarget,
  req: PrepareRequest,
  dryRun = false,
): Promise<PreparedDeploy> {
  const path = resolve(req.package);
  const pkg = await openDeployPackage(path);
  const env = pkg.envelope;
  const lax = req.lax === true;
  checkEnvelopeReferences(env, (system) => systemName(env, system, req.name));
  const warnings = checkDescriptor(env, lax);
  checkPackageHrefs(env);
  checkNoRemoteDisks(env);
  const configuration = chooseConfiguration(env, req.configuration);
  if (!dryRun) checkEulas(env, req.acceptEula === true);
  const networks = checkNetworks(env, req.networks ?? {});
  const props = resolveProperties(allContents(env), configuration, req.properties ?? {});
  if (props.errors.length > 0 && !dryRun) throw new HostError('DEPLOY_PROPERTY', props.errors.join('; '));
  warnings.push(...props.errors, ...props.warnings);
  const plans = await planSystems(env, {
    driver: target.driver,
    configuration,
    properties: props,
    networks,
    name: req.name,
    lax,
    finalDir: (uuid) => systemDir(target.stateDir, uuid),
    platformVersion: target.platformVersion,
  });
  const names = new Set<string>();
  for (const p of plans) {
    if (target.nameTaken(p.name) || names.has(p.name)) {
      const message = `Cannot deploy "${p.name}": a virtual system with that name exists`;
      if (dryRun) warnings.push(message);
      else throw new HypervisorError('VM_EXISTS', message, { hint: 'Choose another name with --name' });
    }
    names.add(p.name);
  }
  return { path, pkg, configuration, props, plans, warnings };
}

/** What a dry run shows of a package besides its planned systems. */
interface PackageFacts {
  properties: {
    key: string;
    type: string;
    label: string | undefined;
    /** The value the property takes for the deployment option; a password's is never shown. */
    defaultValue: string | undefined;
    userConfigurable: boolean;
    password: boolean;
    /** User-configurable without a value for the deployment option: a deploy must be given one. */
    required: boolean;
  }[];
  eulas: string[];
  networks: { name: string; description: string | undefined }[];
  configurations: { id: string; label: string | undefined; isDefault: boolean }[];
}

/**
 * The properties (with types, labels and values for the configuration), license texts, networks and deployment
 * options of a package, for a dry run.
 *
 * @example
 * packageFacts(prepared.pkg.envelope, prepared.configuration).eulas; // ['By using this appliance ...']
 */
export function packageFacts(env: OvfEnvelope, configuration: string | undefined): PackageFacts {
  const contents = allContents(env);
  const dos = findSection(env.sections, 'DeploymentOptionSection')?.configurations ?? [];
  const chosenDefault = chooseConfiguration(env, undefined);
  return {
    properties: propertySlots(contents).map(({ key, property: p }) => {
      const forConfig =
        configuration === undefined
          ? undefined
          : p.values.find((v) => (v.configuration ?? '').split(/\s+/).includes(configuration));
      const value = forConfig?.value ?? p.value;
      const userConfigurable = /^(true|1)$/i.test(p.userConfigurable?.trim() ?? '');
      return {
        key,
        type: p.type,
        label: p.label?.text,
        defaultValue: isSecret(p) ? undefined : value,
        userConfigurable,
        password: isSecret(p),
        required: userConfigurable && value === undefined,
      };
    }),
    eulas: contents.flatMap((c) => findSections(c.sections, 'EulaSection')).map((e) => e.license.text),
    networks: (findSection(env.sections, 'NetworkSection')?.networks ?? []).map((n) => ({
      name: n.name,
      description: n.description?.text,
    })),
    configurations: dos.map((c) => ({ id: c.id, label: c.label.text, isDefault: c.id === chosenDefault })),
  };
}
