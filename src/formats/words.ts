import {
  CONTROLLERS,
  type ControllerKind,
  isControllerKind,
  isNicModel,
  type NicModel,
} from '../model/index.js';

/**
 * A native format's own words for the model's controller kinds and NIC models (vmx `virtualDev`, libvirt
 * `model=`, vbox `type=`, KubeVirt `bus:`), in one two-way table per format: writers take a kind's first word,
 * readers look every word up. A kind the table lacks is one the format does not have; writers then substitute
 * (`SUBSTITUTES`, see target.ts).
 */

/** A controller kind or a NIC model: what a format's table maps. */
export type DeviceWord = ControllerKind | NicModel;

/** Per kind or model, the word a format writes, or the words it reads with the written one first. */
type WordTable = Partial<Record<DeviceWord, string | readonly [string, ...string[]]>>;

/** Names of NIC models for messages (controllers have `CONTROLLERS[kind].name`). */
const NIC_NAMES: Readonly<Record<NicModel, string>> = {
  e1000: 'E1000',
  e1000e: 'E1000e',
  vmxnet3: 'VMXNET3',
  vmxnet: 'VMXNET',
  pcnet: 'PCnet32',
  virtio: 'virtio-net',
  rtl8139: 'RTL8139',
  ne2k_pci: 'NE2000 PCI',
  'hyperv-synthetic': 'Hyper-V synthetic',
  dec21140: 'DEC 21140 (Hyper-V legacy)',
};

/** A name for messages: `LSI Logic SAS`, `VMXNET3`. */
export function deviceName(k: DeviceWord): string {
  return isControllerKind(k) ? CONTROLLERS[k].name : NIC_NAMES[k];
}

/**
 * The two-way lookup over a format's {@link WordTable}. Reading is case-insensitive (files in the wild differ in
 * case: `LsiLogic`, `lsilogic`), writing gives the table's spelling.
 *
 * @example
 * const words = new NativeWords({ lsilogic: 'lsilogic', vmxnet: ['vmxnet', 'vmxnet2'] });
 * words.word('vmxnet');      // 'vmxnet'
 * words.nic('VMXNET2');      // 'vmxnet'
 * words.controller('foo');   // undefined
 */
export class NativeWords {
  readonly #write = new Map<DeviceWord, string>();
  readonly #controllers = new Map<string, ControllerKind>();
  readonly #nics = new Map<string, NicModel>();

  constructor(readonly table: WordTable) {
    for (const [k, v] of Object.entries(table) as [DeviceWord, string | readonly string[]][]) {
      const list = typeof v === 'string' ? [v] : v;
      this.#write.set(k, list[0]!);
      for (const w of list) {
        const key = w.toLowerCase();
        if (isNicModel(k)) {
          if (!this.#nics.has(key)) this.#nics.set(key, k);
        } else if (!this.#controllers.has(key)) this.#controllers.set(key, k as ControllerKind);
      }
    }
  }

  /** The word the format writes for a kind or model; undefined when the format has no such device. */
  word(k: DeviceWord): string | undefined {
    return this.#write.get(k);
  }

  /** Whether the format has a kind or model. */
  has(k: DeviceWord): boolean {
    return this.#write.has(k);
  }

  /** The controller kind a native word names, or undefined. */
  controller(word: string | undefined): ControllerKind | undefined {
    return word === undefined ? undefined : this.#controllers.get(word.trim().toLowerCase());
  }

  /** The NIC model a native word names, or undefined. */
  nic(word: string | undefined): NicModel | undefined {
    return word === undefined ? undefined : this.#nics.get(word.trim().toLowerCase());
  }
}
