/**
 * Runs work one item at a time per key within this process; different keys run concurrently. A
 * failed item does not stop the ones queued behind it. Used where a read-modify-write must not
 * interleave with another on the same resource (a file, a settings collection, an instance).
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
