/**
 * The Wasm backend's contract at the EcdsaBackend seam, case by case, next to the noble reference
 * backend: invalid keys throw ERR_KEY_INVALID in both, r/s out of range or too wide are `false`,
 * digests are truncated to the order's length, P-521 goes to the fallback (or is
 * ERR_KEY_UNSUPPORTED), and verifyEcdsa uses the backend it is passed.
 */
import { p521 } from '@noble/curves/nist.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import type { EcdsaBackend } from '../../attest/crypto/ecdsa-backend.ts'
import { nobleEcdsaBackend } from '../../attest/crypto/ecdsa-noble.ts'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import { verifyEcdsa } from '../../attest/crypto/ecdsa.ts'
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import { CURVES, be, int, mod, type TestCurve } from './ecdsa-helpers.ts'

const wasm = createWasmEcdsaBackend(mod)

function outcome(
  b: EcdsaBackend,
  ...args: Parameters<EcdsaBackend['verify']>
): boolean | ErrorCode {
  try {
    return b.verify(...args)
  } catch (e) {
    if (e instanceof AegisError) return e.code
    throw e
  }
}

function signed(c: TestCurve, digest: Uint8Array) {
  const secretKey = be(12345678901234567890n, c.size)
  const pub = c.noble.getPublicKey(secretKey, false)
  const sig = c.noble.sign(digest, secretKey, { prehash: false, lowS: false })
  return {
    x: pub.subarray(1, 1 + c.size),
    y: pub.subarray(1 + c.size),
    r: sig.subarray(0, c.size),
    s: sig.subarray(c.size),
  }
}

describe.each(CURVES)('$name Wasm backend contract', (c) => {
  const digest = new Uint8Array(c.size).fill(0xa5)
  const k = signed(c, digest)
  const both = (...args: Parameters<EcdsaBackend['verify']>) => {
    const w = outcome(wasm, ...args)
    expect(w).toBe(outcome(nobleEcdsaBackend, ...args))
    return w
  }

  it('verifies a good signature and rejects a changed digest', () => {
    expect(both(c.name, k.x, k.y, digest, k.r, k.s)).toBe(true)
    expect(
      both(
        c.name,
        k.x,
        k.y,
        digest.map((b, i) => (i === 3 ? b ^ 1 : b)),
        k.r,
        k.s,
      ),
    ).toBe(false)
  })

  it('accepts the high-S twin (TPMs do not normalise s)', () => {
    expect(both(c.name, k.x, k.y, digest, k.r, be(c.n - int(k.s), c.size))).toBe(true)
  })

  it('throws ERR_KEY_INVALID for keys of the wrong size, off the curve, or >= p', () => {
    const bad: [Uint8Array, Uint8Array][] = [
      [k.x.subarray(1), k.y],
      [k.x, Uint8Array.of(0, ...k.y)],
      [k.x, k.y.map((b, i) => (i === c.size - 1 ? b ^ 1 : b))],
      [be(c.p, c.size), k.y],
      [k.x, be(c.p + int(k.y) < 1n << BigInt(8 * c.size) ? c.p + int(k.y) : c.p, c.size)],
      [new Uint8Array(c.size), new Uint8Array(c.size)],
    ]
    for (const [x, y] of bad) expect(both(c.name, x, y, digest, k.r, k.s)).toBe('ERR_KEY_INVALID')
  })

  it('checks the key before the signature: a bad key with r = 0 still throws', () => {
    const y = k.y.map((b, i) => (i === 0 ? b ^ 0x40 : b))
    expect(both(c.name, k.x, y, digest, new Uint8Array(0), k.s)).toBe('ERR_KEY_INVALID')
  })

  it('answers false for r or s of 0, n, or wider than the order', () => {
    const n = be(c.n, c.size)
    const wide = Uint8Array.of(1, ...k.r)
    for (const [r, s] of [
      [new Uint8Array(0), k.s],
      [k.r, new Uint8Array(c.size)],
      [n, k.s],
      [k.r, n],
      [wide, k.s],
      [k.r, Uint8Array.of(1, ...k.s)],
    ] as const) {
      expect(both(c.name, k.x, k.y, digest, r, s)).toBe(false)
    }
  })

  it('reads r and s as integers: leading zero octets change nothing', () => {
    expect(
      both(c.name, k.x, k.y, digest, Uint8Array.of(0, 0, ...k.r), Uint8Array.of(0, ...k.s)),
    ).toBe(true)
  })

  it('truncates a longer digest to its leftmost octets and left-pads a shorter one', () => {
    const long = sha512(Uint8Array.of(1, 2, 3))
    const kl = signed(c, long)
    expect(both(c.name, kl.x, kl.y, long, kl.r, kl.s)).toBe(true)
    expect(both(c.name, kl.x, kl.y, long.subarray(0, c.size), kl.r, kl.s)).toBe(true)
    const short = Uint8Array.of(0x12, 0x34)
    const ks = signed(c, short)
    expect(both(c.name, ks.x, ks.y, short, ks.r, ks.s)).toBe(true)
    expect(both(c.name, ks.x, ks.y, Uint8Array.of(0, 0, 0x12, 0x34), ks.r, ks.s)).toBe(true)
    const empty = new Uint8Array(0)
    const ke = signed(c, empty)
    expect(both(c.name, ke.x, ke.y, empty, ke.r, ke.s)).toBe(true)
  })
})

describe('curves the kernel does not implement', () => {
  const secretKey = p521.utils.randomSecretKey()
  const pub = p521.getPublicKey(secretKey, false)
  const digest = sha512(Uint8Array.of(7))
  const sig = p521.sign(digest, secretKey, { prehash: false, lowS: false })
  const args = [
    'P-521',
    pub.subarray(1, 67),
    pub.subarray(67),
    digest,
    sig.subarray(0, 66),
    sig.subarray(66),
  ] as const

  it('P-521 is ERR_KEY_UNSUPPORTED without a fallback', () => {
    expect(outcome(wasm, ...args)).toBe('ERR_KEY_UNSUPPORTED')
  })

  it('P-521 goes to the fallback when one is given', () => {
    expect(createWasmEcdsaBackend(mod, nobleEcdsaBackend).verify(...args)).toBe(true)
  })
})

describe('passing the backend', () => {
  it('verifyEcdsa uses the Wasm kernel when passed it, and noble without one', () => {
    const c = CURVES[0]!
    const digest = new Uint8Array(32).fill(1)
    const k = signed(c, digest)
    const calls: string[] = []
    const spy: EcdsaBackend = {
      name: 'wasm-spy',
      verify: (...a) => {
        calls.push(a[0])
        return wasm.verify(...a)
      },
    }
    expect(verifyEcdsa('P-256', { x: k.x, y: k.y }, digest, { r: k.r, s: k.s }, spy)).toBe(true)
    expect(calls).toEqual(['P-256'])
    expect(verifyEcdsa('P-256', { x: k.x, y: k.y }, digest, { r: k.r, s: k.s })).toBe(true)
    expect(calls).toEqual(['P-256'])
  })
})
