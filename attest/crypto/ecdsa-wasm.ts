/**
 * The Wasm ECDSA backend: P-256 and P-384 verification by the AssemblyScript kernel in wasm/ecdsa
 * (built to wasm/build/ecdsa.wasm), behind the same EcdsaBackend seam as the noble reference and
 * with the same answers: invalid keys throw ERR_KEY_INVALID (coordinates must be exactly the field
 * size, below p, on the curve), out-of-range r or s and bad signatures are `false`. The digest is
 * turned into the message representative here (SEC 1 §4.1.3 step 5, leftmost bits of the order's
 * length, which is byte-aligned for both curves); everything else happens in the kernel.
 * Takes an already compiled WebAssembly.Module (workerd cannot compile Wasm at run time; wrangler
 * and the vitest pool hand one over for `import mod from '.../ecdsa.wasm'`) and instantiates it
 * synchronously with no imports. Keeps each key's precomputation in one of the kernel's cache
 * slots (frequency-admitted, least recently used evicted: SlotPolicy; `keyCache: false` turns it
 * off), so the repeated signatures of one AK skip it. Leaves out P-521, which goes to `fallback` when one is given.
 */
import { AegisError } from '../errors.ts'
import type { EccCurve } from '../tpm/types.ts'
import type { EcdsaBackend } from './ecdsa-backend.ts'

interface KernelExports {
  memory: WebAssembly.Memory
  io(): number
  verify(curve: number): number
  verifyCached?(curve: number, slot: number): number
  cacheSlots?(): number
}

/**
 * Which kernel cache slot holds which key, least recently used first (a Map keeps insertion
 * order), and which keys earn one. The kernel checks the key in the slot itself, so this only
 * decides where a key goes. Filling a slot costs about two uncached verifications, so an isolate
 * that serves more AKs than there are slots must not refill on every miss: round-robin traffic
 * over an LRU alone evicts every key just before its next use and makes each verification dearer
 * than with no cache. Admission is therefore by frequency (TinyLFU, Einziger, Friedman and Manes,
 * "TinyLFU: A Highly Efficient Cache Admission Policy", ACM ToS 2017): a key that misses when the
 * slots are full takes the least recently used key's slot only if it has been asked for more
 * often; otherwise that call verifies uncached (slot -1). The counts are aged: after AGE_AFTER
 * lookups per slot, or when more than MAX_COUNTED keys per slot are counted, all are halved (and
 * keys at zero dropped), so a fleet's changing mix wins slots again and the counts stay bounded.
 */
export class SlotPolicy {
  private readonly slots = new Map<string, number>()
  private readonly counts = new Map<string, number>()
  /** Slot numbers not given to any key. */
  private readonly free: number[]
  private total = 0
  constructor(private readonly size: number) {
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i)
  }

  /** The slot to verify with: the key's own, a newly given one, or -1 (uncached). */
  slotFor(key: string): number {
    const seen = this.count(key)
    const hit = this.slots.get(key)
    if (hit !== undefined) {
      this.slots.delete(key)
      this.slots.set(key, hit)
      return hit
    }
    const slot = this.free.pop()
    if (slot !== undefined) {
      this.slots.set(key, slot)
      return slot
    }
    const [oldest, freed] = this.slots.entries().next().value as [string, number]
    if (seen <= (this.counts.get(oldest) ?? 0)) return -1
    this.slots.delete(oldest)
    this.slots.set(key, freed)
    return freed
  }

  forget(key: string): void {
    const slot = this.slots.get(key)
    this.slots.delete(key)
    this.counts.delete(key)
    if (slot !== undefined) this.free.push(slot)
  }

  private count(key: string): number {
    const n = (this.counts.get(key) ?? 0) + 1
    this.counts.set(key, n)
    if (++this.total >= AGE_AFTER * this.size || this.counts.size > MAX_COUNTED * this.size) {
      this.age()
      return this.counts.get(key) ?? 0
    }
    return n
  }

  private age(): void {
    this.total = 0
    for (const [k, v] of this.counts) {
      if (v >> 1 === 0 && !this.slots.has(k)) this.counts.delete(k)
      else this.counts.set(k, v >> 1)
    }
  }
}

/** Counts are halved after this many lookups per slot. */
const AGE_AFTER = 16
/** Keys counted at most, per slot (a fleet's long tail is forgotten at the next ageing). */
const MAX_COUNTED = 64

/** A Map key for a public key: the coordinates as a latin1 string (cheap, collision-free). */
function keyId(id: number, x: Uint8Array, y: Uint8Array): string {
  return `${id}:${String.fromCharCode(...x)}${String.fromCharCode(...y)}`
}

// Must match wasm/ecdsa/verify.ts.
const SLOT = 48
const VALID = 1
const INVALID = 0
const BAD_KEY = -1
const CURVE_ID: Partial<Record<EccCurve, { id: number; size: number }>> = {
  'P-256': { id: 0, size: 32 },
  'P-384': { id: 1, size: 48 },
}
// @noble/curves refuses (and so the reference backend rejects) digests longer than this.
const MAX_DIGEST = 8192

function kernelExports(instance: WebAssembly.Instance): KernelExports {
  const e = instance.exports as Partial<KernelExports>
  if (
    !(e.memory instanceof WebAssembly.Memory) ||
    typeof e.io !== 'function' ||
    typeof e.verify !== 'function'
  ) {
    throw new AegisError(
      'ERR_CONFIG',
      'Wasm module is not the ECDSA kernel (missing memory/io/verify)',
    )
  }
  return e as KernelExports
}

/** Big-endian unsigned value without leading zero octets. */
function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0
  while (i < b.length && b[i] === 0) i++
  return b.subarray(i)
}

/**
 * Instantiates the kernel and returns a backend over it. `fallback` verifies curves the kernel
 * does not implement (P-521); without one they are ERR_KEY_UNSUPPORTED.
 */
export function createWasmEcdsaBackend(
  module: WebAssembly.Module,
  fallback?: EcdsaBackend,
  opts: { keyCache?: boolean } = {},
): EcdsaBackend {
  let kernel: KernelExports
  try {
    kernel = kernelExports(new WebAssembly.Instance(module, {}))
  } catch (e) {
    if (e instanceof AegisError) throw e
    throw new AegisError('ERR_CONFIG', 'cannot instantiate the ECDSA Wasm kernel', { cause: e })
  }
  const base = kernel.io()
  let view = new Uint8Array(kernel.memory.buffer, base, 5 * SLOT)
  // Per-key precomputation across calls (wasm/ecdsa/key-cache.ts), on unless turned off.
  const slots = kernel.cacheSlots?.() ?? 0
  const lru =
    opts.keyCache !== false && slots > 0 && kernel.verifyCached ? new SlotPolicy(slots) : null

  return {
    name: 'wasm',
    verify(curve: EccCurve, x, y, msgHash, r, s) {
      const params = CURVE_ID[curve]
      if (!params) {
        if (fallback) return fallback.verify(curve, x, y, msgHash, r, s)
        throw new AegisError(
          'ERR_KEY_UNSUPPORTED',
          `the Wasm ECDSA kernel has no curve ${String(curve)}`,
        )
      }
      const { id, size } = params
      if (
        !(x instanceof Uint8Array) ||
        !(y instanceof Uint8Array) ||
        x.length !== size ||
        y.length !== size
      ) {
        throw new AegisError(
          'ERR_KEY_INVALID',
          `${curve} public key coordinates must be ${size} bytes`,
        )
      }
      // The memory never grows (fixed at ten pages), but a detached view would fail silently.
      if (view.byteLength === 0) view = new Uint8Array(kernel.memory.buffer, base, 5 * SLOT)
      view.fill(0)
      view.set(x, 0)
      view.set(y, SLOT)
      const e = msgHash.length > size ? msgHash.subarray(0, size) : msgHash
      view.set(e, 2 * SLOT + size - e.length)
      const R = stripZeros(r)
      const S = stripZeros(s)
      // Values wider than the order cannot be < n: leave r = 0 so the kernel still validates the
      // key (and throws for a bad one, like the reference) and then answers invalid.
      if (R.length <= size && S.length <= size && msgHash.length <= MAX_DIGEST) {
        view.set(R, 3 * SLOT + size - R.length)
        view.set(S, 4 * SLOT + size - S.length)
      }
      let rc: number
      const cacheKey = lru ? keyId(id, x, y) : ''
      try {
        const slot = lru ? lru.slotFor(cacheKey) : -1
        rc = slot >= 0 ? kernel.verifyCached!(id, slot) : kernel.verify(id)
      } catch (err) {
        // A trap is a kernel bug, never a property of the inputs.
        throw new AegisError('ERR_INTERNAL', 'ECDSA Wasm kernel trapped', { cause: err })
      }
      if (rc === VALID) return true
      if (rc === INVALID) return false
      if (rc === BAD_KEY) lru?.forget(cacheKey)
      if (rc === BAD_KEY)
        throw new AegisError('ERR_KEY_INVALID', `${curve} public key is not a valid curve point`)
      throw new AegisError('ERR_INTERNAL', `ECDSA Wasm kernel returned ${rc}`)
    },
  }
}
