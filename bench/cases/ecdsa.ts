/**
 * ECDSA verification benchmarks, P-256/SHA-256 and P-384/SHA-384, one signature each, four ways:
 * the Wasm kernel (createWasmEcdsaBackend; with its per-key cache, the steady state of one AK, and
 * `wasm-uncached` without it), @noble/curves (nobleEcdsaBackend, the reference), both
 * through the same EcdsaBackend seam with key validation included, and WebCrypto (crypto.subtle,
 * the native ceiling; it hashes the short message itself). Each run returns the verdict, which
 * must be `true`; setup checks all three agree before anything is timed.
 *
 * What the harness must provide: this file imports wasm/build/ecdsa.wasm as a module, so the
 * bundler must turn `*.wasm` imports into a compiled WebAssembly.Module default export, as
 * wrangler's default CompiledWasm rule and the vitest workers pool do (workerd cannot compile Wasm
 * at run time), and wasm/build/ecdsa.wasm must have been built (`prebench` runs build:wasm).
 * Keys and signatures are deterministic (fixed private scalars, RFC 6979 nonces).
 */
import ecdsaWasm from '../../wasm/build/ecdsa.wasm'
import { p256, p384 } from '@noble/curves/nist.js'
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import { bytesToBigInt, toB64url } from '../../attest/bytes/encoding.ts'
import type { EcdsaBackend } from '../../attest/crypto/ecdsa-backend.ts'
import { nobleEcdsaBackend } from '../../attest/crypto/ecdsa-noble.ts'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import type { EccCurve } from '../../attest/tpm/types.ts'
import type { BenchCase } from '../types.ts'

interface Fixture {
  curve: EccCurve
  x: Uint8Array
  y: Uint8Array
  msg: Uint8Array<ArrayBuffer>
  digest: Uint8Array
  r: Uint8Array
  s: Uint8Array
  p1363: Uint8Array<ArrayBuffer>
}

interface Ctx extends Fixture {
  backend: EcdsaBackend
  key: CryptoKey
  fleet?: Fixture[]
  pick?: () => Fixture
}

/** Keys in the fleet case: four times the kernel's cache slots (wasm/ecdsa/key-cache.ts). */
const FLEET_KEYS = 128

const CURVES = {
  'P-256': { noble: p256, hash: sha256, webHash: 'SHA-256', size: 32, tag: 'p256' },
  'P-384': { noble: p384, hash: sha384, webHash: 'SHA-384', size: 48, tag: 'p384' },
} as const

function fixture(curve: 'P-256' | 'P-384', label = ''): Fixture {
  const c = CURVES[curve]
  const { Fn } = c.noble.Point
  const d = Fn.create(
    bytesToBigInt(c.hash(new TextEncoder().encode(`aegis bench ${curve} key${label}`))),
  )
  const secretKey = Fn.toBytes(d)
  const pub = c.noble.getPublicKey(secretKey, false)
  const msg = new Uint8Array(new TextEncoder().encode(`{"agentId":"bench","seq":1,"metrics":[]}`))
  const digest = c.hash(msg)
  const p1363 = c.noble.sign(digest, secretKey, { prehash: false, lowS: false })
  return {
    curve,
    x: pub.subarray(1, 1 + c.size),
    y: pub.subarray(1 + c.size),
    msg,
    digest,
    r: p1363.subarray(0, c.size),
    s: p1363.subarray(c.size),
    p1363: new Uint8Array(p1363),
  }
}

async function setup(curve: 'P-256' | 'P-384'): Promise<Ctx> {
  const f = fixture(curve)
  const jwk = { kty: 'EC', crv: curve, x: toB64url(f.x), y: toB64url(f.y), ext: true }
  const key = await crypto.subtle.importKey(
    'jwk',
    jwk,
    { name: 'ECDSA', namedCurve: curve },
    false,
    ['verify'],
  )
  const backend = createWasmEcdsaBackend(ecdsaWasm)
  const ctx = { ...f, backend, key }
  const verdicts = [
    runBackend(ctx),
    runBackend({ ...ctx, backend: nobleEcdsaBackend }),
    await runWebCrypto(ctx),
  ]
  if (!verdicts.every((v) => v === true)) {
    throw new Error(`bench fixture ${curve} does not verify everywhere: ${verdicts.join(',')}`)
  }
  return ctx
}

const runBackend = (c: Ctx): boolean => c.backend.verify(c.curve, c.x, c.y, c.digest, c.r, c.s)

const runWebCrypto = (c: Ctx): Promise<boolean> =>
  crypto.subtle.verify(
    { name: 'ECDSA', hash: CURVES[c.curve as 'P-256' | 'P-384'].webHash },
    c.key,
    c.p1363,
    c.msg,
  )

function cases3(
  curve: 'P-256' | 'P-384',
  iterations: { wasm: number; noble: number },
): BenchCase<Ctx>[] {
  const tag = CURVES[curve].tag
  return [
    {
      name: `ecdsa.${tag}.wasm`,
      iterations: iterations.wasm,
      // Long enough for V8 to finish tiering the kernel up from its baseline compiler: the steady
      // state of a worker isolate, not its first requests, is what this case measures.
      warmup: iterations.wasm,
      setup: () => setup(curve),
      run: runBackend,
    },
    {
      // The same without the per-key cache: every call builds the key's tables again, as the
      // first signature of an AK in an isolate does.
      name: `ecdsa.${tag}.wasm-uncached`,
      iterations: iterations.wasm,
      warmup: iterations.wasm,
      setup: async () => ({
        ...(await setup(curve)),
        backend: createWasmEcdsaBackend(ecdsaWasm, undefined, { keyCache: false }),
      }),
      run: runBackend,
    },
    {
      // A fleet: FLEET_KEYS AKs in turn, four times the kernel's cache slots, as an isolate that
      // serves many agents sees them. Each run verifies the next key's signature.
      name: `ecdsa.${tag}.wasm-fleet`,
      iterations: iterations.wasm,
      warmup: iterations.wasm,
      setup: async () => {
        const ctx = await setup(curve)
        const fleet = Array.from({ length: FLEET_KEYS }, (_, i) => fixture(curve, ` ${i}`))
        let next = 0
        return { ...ctx, fleet, pick: () => fleet[next++ % fleet.length]! }
      },
      run: (c) => runBackend({ ...c, ...c.pick!() }),
    },
    {
      name: `ecdsa.${tag}.noble`,
      iterations: iterations.noble,
      warmup: Math.ceil(iterations.noble / 10),
      setup: async () => ({ ...(await setup(curve)), backend: nobleEcdsaBackend }),
      run: runBackend,
    },
    {
      name: `ecdsa.${tag}.webcrypto`,
      iterations: iterations.wasm,
      warmup: Math.ceil(iterations.wasm / 10),
      setup: () => setup(curve),
      run: runWebCrypto,
    },
  ]
}

export const cases: BenchCase<Ctx>[] = [
  ...cases3('P-256', { wasm: 2000, noble: 200 }),
  ...cases3('P-384', { wasm: 1000, noble: 100 }),
]
