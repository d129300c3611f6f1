import type { VirtualSystemDefinition } from '../../model/index.js';
import type { DriverCapabilities } from '../capabilities.js';
import type { DriverOperation, HypervisorDriver } from '../types.js';

/** The cases of the driver conformance runner, one id each (issue 10, §2.12). */
export type DriverCaseId =
  | 'define.lookup'
  | 'define.refusals'
  | 'transitions.stopped'
  | 'lifecycle.events'
  | 'modify.undefine'
  | 'capabilities.coherent'
  | 'console.stopped'
  | 'console.screenshot'
  | 'hotplug.disk'
  | 'hotplug.nic'
  | 'adopt.after-close'
  | 'inventory.external'
  | 'images.export';

/** How a driver's folder runs the conformance cases on its driver. */
export interface DriverConformanceOptions {
  /** Shown in the suite's name, e.g. `qemu:///embed (TCG)`. */
  label: string;
  /** Opens a driver on this state directory; called again (same directory) by cases that reopen it. */
  open(ctx: { stateDir: string }): Promise<HypervisorDriver>;
  guest: {
    /** A bootable disk image that runs a shell and powers off on the ACPI button (the test guest's `stayDisk`). */
    disk: string;
    /** Waits until the guest has printed its ready marker `count` times in all. */
    waitReady(d: HypervisorDriver, uuid: string, count: number): Promise<void>;
    /** How long the guest takes at most to power off after an ACPI shutdown. */
    shutdownTimeoutMs: number;
    /**
     * An image to hot-plug as a second disk, for a driver that writes its images directly (libvirt): QEMU's
     * image locking refuses the running guest's own disk twice. Default: `disk` (a driver with overlays).
     */
    hotDisk?: string;
  };
  /** Defines a system behind the driver's back (virsh for libvirt), for a driver that owns its inventory. */
  external?: { define(def: VirtualSystemDefinition, ctx: { stateDir: string }): Promise<void> };
  /** Cases this driver cannot run, each with why; checked against its capabilities. */
  skip?: readonly { cases: readonly DriverCaseId[]; reason: string }[];
}

/** What a case gets: the driver, its capabilities, the options, and a way to open another driver on the state. */
export interface CaseContext {
  driver: HypervisorDriver;
  caps: DriverCapabilities;
  stateDir: string;
  options: DriverConformanceOptions;
  /** Opens one more driver on the same state directory (closed with the suite). */
  open(): Promise<HypervisorDriver>;
}

/** One conformance case. */
export interface DriverCase {
  id: DriverCaseId;
  title: string;
  /** Whether the driver can run the case, from its capabilities and entry points; absent: every driver can. */
  requires?(
    caps: DriverCapabilities,
    entry: readonly DriverOperation[],
    o: DriverConformanceOptions,
  ): boolean;
  /** What `requires` asks, in words, for the "declare the skip" message. */
  needs?: string;
  timeoutMs?: number;
  run(t: CaseContext): Promise<void>;
}
