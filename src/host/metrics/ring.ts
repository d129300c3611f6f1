/**
 * A fixed-size ring of the latest items: pushing beyond its size drops the oldest, so a system's samples take
 * the same memory whatever the host's uptime.
 *
 * @example
 * const r = new Ring<number>(3);
 * for (const n of [1, 2, 3, 4]) r.push(n);
 * r.toArray(); // [2, 3, 4]
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly size: number) {
    this.items = new Array<T | undefined>(size);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
  }

  /** The newest item. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.next - 1 + this.size) % this.size];
  }

  /** Every item, oldest first; with `since`, only the newest ones for which it holds (scanned from the end). */
  toArray(since?: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.count; i++) {
      const item = this.items[(this.next - i + this.size) % this.size] as T;
      if (since !== undefined && !since(item)) break;
      out.push(item);
    }
    return out.reverse();
  }
}
