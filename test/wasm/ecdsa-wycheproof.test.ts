/**
 * Every Wycheproof ECDSA vector for P-256/SHA-256 and P-384/SHA-384, DER and P1363 encodings
 * (google-wycheproof 0.9rc5, Apache-2.0, copied into shared/vectors/wycheproof), through the Wasm
 * backend: once directly and once through the public seam (verifyEcdsa with the backend passed).
 * "valid" must verify, "invalid" must be false or a typed ERR_SIG_MALFORMED from the decoder;
 * any other result string fails.
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from '../../attest/bytes/encoding.ts'
import type { EcdsaBackend } from '../../attest/crypto/ecdsa-backend.ts'
import { createWasmEcdsaBackend } from '../../attest/crypto/ecdsa-wasm.ts'
import {
  parseDerEcdsaSignature,
  splitP1363Signature,
  verifyEcdsa,
} from '../../attest/crypto/ecdsa.ts'
import { digest } from '../../attest/crypto/hash.ts'
import { AegisError } from '../../attest/errors.ts'
import type { EccCurve } from '../../attest/tpm/types.ts'
import { mod } from './ecdsa-helpers.ts'
import { CURVE_NAME, ECDSA_SUITES, HASH_NAME } from '../attest/wycheproof/ecdsa-suites.ts'

interface EcdsaFile {
  numberOfTests: number
  testGroups: Array<{
    sha: string
    publicKey: { curve: string; uncompressed: string }
    tests: Array<{
      tcId: number
      comment: string
      flags: string[]
      msg: string
      sig: string
      result: string
    }>
  }>
}

// The ambient JSON typing (test/attest/wycheproof/wycheproof.d.ts) marks fields optional that these
// four files always carry; narrow to what this test reads.
const parse = (f: unknown): EcdsaFile => f as EcdsaFile

const SUITES = ECDSA_SUITES

type Verify = (
  curve: EccCurve,
  pub: { x: Uint8Array; y: Uint8Array },
  h: Uint8Array,
  rs: { r: Uint8Array; s: Uint8Array },
) => boolean

function runSuite(s: (typeof SUITES)[number], verify: Verify) {
  const file = parse(s.file)
  const failures: string[] = []
  let count = 0
  let accepted = 0
  let reachedKernel = 0
  for (const g of file.testGroups) {
    // Asserted, not assumed, so a swapped file cannot pass silently.
    expect(CURVE_NAME[g.publicKey.curve]).toBe(s.curve)
    expect(HASH_NAME[g.sha]).toBe(s.hash)
    const point = fromHex(g.publicKey.uncompressed)
    const size = (point.length - 1) / 2
    const pub = { x: point.subarray(1, 1 + size), y: point.subarray(1 + size) }
    for (const t of g.tests) {
      count++
      const where = `tcId ${t.tcId} (${t.result}, ${t.flags.join(',')}: ${t.comment})`
      let ok: boolean
      try {
        const sig = fromHex(t.sig)
        const rs = s.der ? parseDerEcdsaSignature(sig) : splitP1363Signature(sig, s.curve)
        reachedKernel++
        ok = verify(s.curve, pub, digest(s.hash, fromHex(t.msg)), rs)
      } catch (e) {
        if (!(e instanceof AegisError) || e.code !== 'ERR_SIG_MALFORMED') {
          failures.push(`${where}: unexpected ${e instanceof AegisError ? e.code : String(e)}`)
          continue
        }
        ok = false
      }
      if (ok) accepted++
      if (t.result === 'valid' && !ok) failures.push(`${where}: rejected`)
      else if (t.result === 'invalid' && ok) failures.push(`${where}: accepted`)
      else if (t.result !== 'valid' && t.result !== 'invalid')
        failures.push(`${where}: unknown result`)
    }
  }
  expect(failures).toEqual([])
  expect(count).toBe(file.numberOfTests)
  expect(count).toBe(s.count)
  // Guards against a harness that accepts nothing or never reaches the kernel.
  expect(accepted).toBeGreaterThan(150)
  expect(reachedKernel).toBeGreaterThan(count / 2)
}

describe('Wycheproof ECDSA through the Wasm kernel', () => {
  const wasm: EcdsaBackend = createWasmEcdsaBackend(mod)

  for (const s of SUITES) {
    it(`${s.name}: every vector, wasm backend directly`, () => {
      runSuite(s, (curve, pub, h, rs) => wasm.verify(curve, pub.x, pub.y, h, rs.r, rs.s))
    })
  }

  describe('through verifyEcdsa with the backend passed', () => {
    for (const s of SUITES) {
      it(`${s.name}: every vector`, () => {
        runSuite(s, (curve, pub, h, rs) => verifyEcdsa(curve, pub, h, rs, wasm))
      })
    }
  })
})
