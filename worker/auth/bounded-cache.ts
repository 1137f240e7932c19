/**
 * A small least-recently-used map for per-isolate caches of parsed configuration (key sets keyed
 * by the secret's text, remote key sets keyed by URL). Loss-tolerant by design: an evicted entry is
 * simply parsed again. Leaves out expiry: entries are keyed by their own source, so a changed
 * secret is a different key and the stale one ages out.
 */
export class BoundedCache<V> {
  readonly #max: number
  readonly #map = new Map<string, V>()

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('BoundedCache needs max >= 1')
    this.#max = max
  }

  get size(): number {
    return this.#map.size
  }

  get(key: string): V | undefined {
    const v = this.#map.get(key)
    if (v !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry as most recently used.
      this.#map.delete(key)
      this.#map.set(key, v)
    }
    return v
  }

  set(key: string, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as string
      this.#map.delete(oldest)
    }
  }

  delete(key: string): void {
    this.#map.delete(key)
  }
}
