// Property tests (fast-check): every parser in attest/tpm, fed random bytes and mutations of the
// tpm2-tools vectors (shared/vectors/tpm2-tools: bit flips, truncation, extension, insertion),
// either returns or throws an AegisError with a TPM code, never anything else; whatever parses
// re-marshals to the very same bytes; and no single-byte change to a real quote still verifies.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import appPub from '@shared/vectors/tpm2-tools/app.pub?bytes'
import certifyAttest from '@shared/vectors/tpm2-tools/certify-ecc.attest?bytes'
import certifySig from '@shared/vectors/tpm2-tools/certify-ecc.sig?bytes'
import ekEccPub from '@shared/vectors/tpm2-tools/ek-ecc.pub?bytes'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import nonceEccHex from '@shared/vectors/tpm2-tools/quote-ecc.nonce.hex?raw'
import pcrsEcc from '@shared/vectors/tpm2-tools/quote-ecc.pcrs?bytes'
import sigEcc from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import quoteRsa from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import nonceRsaHex from '@shared/vectors/tpm2-tools/quote-rsa.nonce.hex?raw'
import pcrsRsa from '@shared/vectors/tpm2-tools/quote-rsa.pcrs?bytes'
import sigRsa from '@shared/vectors/tpm2-tools/quote-rsa.sig?bytes'
import { concat, fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError, type ErrorCode } from '../../../attest/errors.ts'
import { verifyQuote } from '../../../attest/quote/verify-quote.ts'
import { parseTpmsAttest } from '../../../attest/tpm/attest.ts'
import { parseTpmlDigest } from '../../../attest/tpm/digest-list.ts'
import { marshalTpmsAttest } from '../../../attest/tpm/marshal-attest.ts'
import { marshalTpmlDigest } from '../../../attest/tpm/marshal-digest-list.ts'
import { marshalTpm2ToolsPcrFile } from '../../../attest/tpm/marshal-pcr-file.ts'
import { marshalTpmlPcrSelection } from '../../../attest/tpm/marshal-pcr-selection.ts'
import { marshalTpm2bPublic } from '../../../attest/tpm/marshal-public.ts'
import { marshalTpmtSignature } from '../../../attest/tpm/marshal-signature.ts'
import { parseTpm2ToolsPcrFile } from '../../../attest/tpm/pcr-file.ts'
import { parseTpmlPcrSelection } from '../../../attest/tpm/pcr-selection.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { parseTpmtSignature } from '../../../attest/tpm/signature.ts'

const TPM_CODES: ErrorCode[] = [
  'ERR_TPM_MALFORMED',
  'ERR_TPM_TRAILING_BYTES',
  'ERR_TPM_UNSUPPORTED_ALG',
]
const ATTEST_CODES: ErrorCode[] = [...TPM_CODES, 'ERR_ATTEST_MAGIC', 'ERR_ATTEST_TYPE']

function mutations(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc.record({ i: fc.nat(), x: fc.integer({ min: 1, max: 255 }) })
  return fc.oneof(
    fc.array(flip, { minLength: 1, maxLength: 4 }).map((fs) => {
      const b = seed.slice()
      for (const { i, x } of fs) b[i % b.length]! ^= x
      return b
    }),
    fc.nat({ max: seed.length - 1 }).map((n) => seed.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((t) => concat(seed, t)),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([i, t]) => {
      const k = i % (seed.length + 1)
      return concat(seed.subarray(0, k), t, seed.subarray(k))
    }),
    fc.tuple(fc.nat(), fc.nat({ max: 4 })).map(([i, n]) => {
      const k = i % seed.length
      return concat(seed.subarray(0, k), seed.subarray(k + n + 1))
    }),
  )
}

interface Codec {
  name: string
  seeds: Uint8Array[]
  codes: ErrorCode[]
  /** Parse then marshal; undefined when the format has no exact inverse for every input. */
  roundTrip: (b: Uint8Array) => Uint8Array | undefined
}

const CODECS: Codec[] = [
  {
    name: 'TPM2B_PUBLIC',
    seeds: [akEccPub, akRsaPub, appPub, ekEccPub, ekRsaPub],
    codes: TPM_CODES,
    roundTrip: (b) => marshalTpm2bPublic(parseTpm2bPublic(b)),
  },
  {
    name: 'TPMS_ATTEST',
    seeds: [quoteEcc, quoteRsa, certifyAttest],
    codes: ATTEST_CODES,
    roundTrip: (b) => marshalTpmsAttest(parseTpmsAttest(b)),
  },
  {
    name: 'TPMT_SIGNATURE',
    seeds: [sigEcc, sigRsa, certifySig],
    codes: TPM_CODES,
    roundTrip: (b) => marshalTpmtSignature(parseTpmtSignature(b)),
  },
  {
    name: 'TPML_PCR_SELECTION',
    seeds: [quoteEcc.subarray(101, 111), fromHex('00000002000403000000000b0401000000')],
    codes: TPM_CODES,
    roundTrip: (b) => marshalTpmlPcrSelection(parseTpmlPcrSelection(b)),
  },
  {
    name: 'TPML_DIGEST',
    seeds: [marshalTpmlDigest([new Uint8Array(32).fill(7), new Uint8Array(48).fill(9)])],
    codes: TPM_CODES,
    roundTrip: (b) => marshalTpmlDigest(parseTpmlDigest(b)),
  },
  {
    name: 'tpm2-tools PCR file',
    seeds: [pcrsEcc, pcrsRsa],
    codes: TPM_CODES,
    roundTrip: (b) => marshalTpm2ToolsPcrFile(parseTpm2ToolsPcrFile(b)),
  },
]

/** Runs `f`; returns its result, or undefined when it threw an AegisError with an allowed code. */
function tolerate<T>(f: () => T, codes: ErrorCode[]): T | undefined {
  try {
    return f()
  } catch (e) {
    if (!(e instanceof AegisError)) throw e
    expect(codes).toContain(e.code)
    return undefined
  }
}

describe('parsers on hostile input', () => {
  it('the seeds are the intended structures (the vectors parse and round-trip)', () => {
    for (const c of CODECS)
      for (const s of c.seeds) expect(toHex(c.roundTrip(s)!), c.name).toBe(toHex(s))
  })

  for (const c of CODECS) {
    it(`${c.name}: random bytes throw only AegisError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1400 }), (b) => {
          const out = tolerate(() => c.roundTrip(b), c.codes)
          if (out) expect(toHex(out)).toBe(toHex(b))
        }),
        { numRuns: 300 },
      )
    })

    it(`${c.name}: mutated vectors throw only AegisError, and what parses re-marshals exactly`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...c.seeds).chain((s) => mutations(s)),
          (b) => {
            const out = tolerate(() => c.roundTrip(b), c.codes)
            if (out) expect(toHex(out)).toBe(toHex(b))
          },
        ),
        { numRuns: 500 },
      )
    })
  }
})

describe('verifyQuote on mutated evidence', () => {
  const cases = [
    {
      ak: parseTpm2bPublic(akEccPub),
      attest: quoteEcc,
      sig: sigEcc,
      nonce: fromHex(nonceEccHex.trim()),
    },
    {
      ak: parseTpm2bPublic(akRsaPub),
      attest: quoteRsa,
      sig: sigRsa,
      nonce: fromHex(nonceRsaHex.trim()),
    },
  ]

  it('rejects every mutation of the attest or the signature with an AegisError', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...cases)
          .chain((c) =>
            fc.tuple(fc.constant(c), fc.boolean(), mutations(c.attest), mutations(c.sig)),
          ),
        ([c, attestSide, ma, ms]) => {
          const attest = attestSide ? ma : c.attest
          const signature = attestSide ? c.sig : ms
          let thrown: unknown
          try {
            verifyQuote({ ak: c.ak, attest, signature, expectedExtraData: c.nonce })
          } catch (e) {
            thrown = e
          }
          expect(thrown).toBeInstanceOf(AegisError)
        },
      ),
      { numRuns: 150 },
    )
  })
})
