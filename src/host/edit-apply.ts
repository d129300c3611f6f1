import {
  ApiError,
  type ConsoleKind,
  checkTransition,
  type ResourceResult,
  type SystemDetail,
} from '../api/index.js';
import { type HypervisorDriver, requireOperation } from '../hypervisor/index.js';
import { assertShapes, type ResourceSetting, type VirtualSystemDefinition } from '../model/index.js';
import { toDetail } from './api/vocabulary.js';
import type { Edited } from './edit.js';
import type { EventRecorder } from './recorder.js';
import type { Store, StoredVm } from './store.js';

/**
 * A definition change as a job makes it under the system's lock (the Api's `modifySettings` and `*Resources`):
 * refused with CONFLICT when `ifMatch` is not the current etag; a stopped system is redefined, so the driver's
 * checks refuse a bad result before anything is stored; resources are hot-plugged into a running one when `live`
 * is `auto`, all or none; anything else on an active system is INVALID_STATE.
 */

/** How a definition change is made: against the etag it was made from, and whether it may reach a running system. */
export interface EditOptions {
  ifMatch?: string | undefined;
  live?: 'config' | 'auto' | undefined;
}

/** A definition change: settings or resources, as the Api's operations name them. */
export type DefinitionEdit =
  | { kind: 'settings'; edit: (def: VirtualSystemDefinition) => Edited }
  | { kind: 'add'; resources: readonly ResourceSetting[]; edit: (def: VirtualSystemDefinition) => Edited }
  | { kind: 'remove'; instanceIds: readonly string[]; edit: (def: VirtualSystemDefinition) => Edited }
  | { kind: 'modify'; edit: (def: VirtualSystemDefinition) => Edited };

/** What a definition change needs of the host. */
export interface EditContext {
  readonly driver: HypervisorDriver;
  readonly store: Store;
  readonly events: EventRecorder;
  /** The stored row, or VM_NOT_FOUND. */
  get(uuid: string): StoredVm;
  /** Defines the changed definition of a stopped system (driver checks, store, `modified` event). */
  redefine(def: VirtualSystemDefinition): Promise<StoredVm>;
  consoles(): ConsoleKind[];
  /**
   * Makes the images of the definition's new disks, then checks its images as a define does (every image in a
   * storage pool, no references, no two writers on one image), for resources hot-plugged into a running system,
   * which are not redefined. Returns the definition that names the new images and how to delete them again.
   */
  prepareImages(
    def: VirtualSystemDefinition,
  ): Promise<{ def: VirtualSystemDefinition; discard(): Promise<void> }>;
  /** Deletes the images the host made for a system that its stored definition no longer names. */
  settleImages(uuid: string): Promise<void>;
}

/**
 * Makes the change; a settings change answers the system's detail, a resource change what it touched.
 *
 * @example
 * await applyEdit(ctx, uuid, { kind: 'settings', edit: (d) => editSettings(d, changes) }, { ifMatch: etag });
 */
export async function applyEdit(
  ctx: EditContext,
  uuid: string,
  change: DefinitionEdit,
  options: EditOptions,
): Promise<ResourceResult | SystemDetail> {
  const row = ctx.get(uuid);
  if (options.ifMatch !== undefined && options.ifMatch !== row.etag) {
    throw new ApiError('CONFLICT', `The definition of "${row.name}" changed since it was read`, {
      hint: 'Read it again (its etag) and make the change on what it is now',
    });
  }
  const state = (await ctx.driver.getState(uuid)).state;
  if (state === 'stopped') {
    const edited = change.edit(row.definition);
    await ctx.redefine(edited.def);
    if (change.kind === 'settings') return toDetail(ctx.get(uuid), ctx.consoles());
    return { instanceIds: edited.instanceIds, applied: 'config' };
  }
  if (options.live !== 'config' && (change.kind === 'add' || change.kind === 'remove')) {
    return hotplug(ctx, row, change);
  }
  checkTransition(row.name, state, 'modify');
  throw new ApiError('INVALID_STATE', `Cannot modify "${row.name}": it is ${state}`);
}

/**
 * Attaches or detaches resources of a running system, all or none: when one fails, those already attached are
 * detached again (those already detached attached again, as they were) before the error is answered. The store
 * follows the driver whatever happened.
 */
async function hotplug(
  ctx: EditContext,
  row: StoredVm,
  change: Extract<DefinitionEdit, { kind: 'add' | 'remove' }>,
): Promise<ResourceResult> {
  const { driver, store } = ctx;
  const edited = change.edit(row.definition); // InstanceIDs given, unknown ones refused, before any device changes
  const shaped = assertShapes(edited.def); // values in the schema's shapes before anything reads them
  // As a define would, before QEMU opens anything: new disks get their images, every image is checked.
  const prepared = change.kind === 'add' ? await ctx.prepareImages(shaped) : undefined;
  const def = prepared?.def ?? shaped;
  const attach =
    change.kind === 'add' ? requireOperation(driver, 'attachDevice') : driver.attachDevice?.bind(driver);
  const detach =
    change.kind === 'remove' ? requireOperation(driver, 'detachDevice') : driver.detachDevice?.bind(driver);
  const undo: Array<() => Promise<void>> = [];
  try {
    if (change.kind === 'add') {
      for (const r of def.resources.slice(row.definition.resources.length)) {
        await attach!(row.uuid, r);
        undo.push(() => detach?.(row.uuid, String(r.properties.InstanceID)) ?? Promise.resolve());
      }
    } else {
      for (const id of edited.instanceIds) {
        const was = row.definition.resources.find((r) => String(r.properties.InstanceID) === id)!;
        await detach!(row.uuid, id);
        undo.push(() => attach?.(row.uuid, was) ?? Promise.resolve());
      }
    }
  } catch (e) {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    store.putVm(row.uuid, await driver.getDefinition(row.uuid));
    await prepared?.discard();
    throw e;
  }
  store.putVm(row.uuid, await driver.getDefinition(row.uuid));
  await ctx.settleImages(row.uuid);
  ctx.events.system(row.uuid, row.name, 'modified', {
    reason: change.kind === 'add' ? 'devices attached' : 'devices detached',
    cause: 'api',
  });
  return { instanceIds: edited.instanceIds, applied: 'live' };
}
