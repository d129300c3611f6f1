/**
 * A lock per key (per system): `run(key, fn)` runs `fn` after every earlier call for the same key has finished,
 * so concurrent requests on one system are serialised while different systems proceed in parallel.
 *
 * @example
 * await locks.run(uuid, () => driver.start(uuid));
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** True while some call for the key runs or waits. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
