/**
 * Strict parser for TPM2B_PUBLIC / TPMT_PUBLIC of RSA and ECC keys: every field decoded, sizes
 * checked against the key parameters, no trailing bytes. The result keeps `raw` (the TPMT_PUBLIC
 * bytes) for object Names. Leaves out KEYEDHASH and SYMCIPHER objects, ECDAA keys (their scheme
 * carries a count) and non-NIST curves: those are ERR_TPM_UNSUPPORTED_ALG.
 * Follows TPM 2.0 Part 2 §12.2.4 TPMT_PUBLIC, §12.2.3 TPMU_PUBLIC_PARMS, §11.2 schemes,
 * §11.1.7 TPMT_SYM_DEF_OBJECT, §11.2.5.2 TPMT_KDF_SCHEME.
 */
import { AegisError } from '../errors.ts'
import { ByteReader } from '../bytes/reader.ts'
import { digestLength, hashAlgFromTpm } from '../crypto/hash.ts'
import {
  ECC_CURVE_BYTES,
  HASH_SCHEMES,
  KDF_ALG,
  MAX_DIGEST_BYTES,
  MAX_ECC_KEY_BYTES,
  MAX_RSA_KEY_BYTES,
  TPM_ALG,
  eccCurveFromTpm,
} from './constants.ts'
import { decodeObjectAttributes } from './object-attributes.ts'
import type { EccPublic, RsaPublic, Scheme, SymDef, TpmPublic } from './types.ts'

/** TPM2B_PUBLIC: u16 size, then exactly one TPMT_PUBLIC of that size. */
export function parseTpm2bPublic(bytes: Uint8Array): TpmPublic {
  const r = new ByteReader(bytes, 'TPM2B_PUBLIC')
  const body = r.sized()
  r.end()
  if (body.length === 0) throw new AegisError('ERR_TPM_MALFORMED', 'TPM2B_PUBLIC: empty')
  return parseTpmtPublic(body)
}

export function parseTpmtPublic(bytes: Uint8Array): TpmPublic {
  const r = new ByteReader(bytes, 'TPMT_PUBLIC')
  const pub = readTpmtPublic(r)
  r.end()
  return pub
}

/** Reads one TPMT_PUBLIC at the reader's position (for structures that embed it). */
export function readTpmtPublic(r: ByteReader): TpmPublic {
  const start = r.offset
  const type = r.u16()
  if (type !== TPM_ALG.RSA && type !== TPM_ALG.ECC) {
    if (type === TPM_ALG.KEYEDHASH || type === TPM_ALG.SYMCIPHER) {
      throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', `TPMT_PUBLIC: object type 0x${hex4(type)}`)
    }
    throw new AegisError('ERR_TPM_MALFORMED', `TPMT_PUBLIC: bad object type 0x${hex4(type)}`)
  }
  const nameAlg = hashAlgFromTpm(r.u16())
  const attributes = r.u32()
  const authPolicy = r.sized(MAX_DIGEST_BYTES).slice()
  // A policy digest is empty or exactly one nameAlg digest (Part 3 §12.1: TPM_RC_SIZE otherwise).
  if (authPolicy.length !== 0 && authPolicy.length !== digestLength(nameAlg)) {
    throw new AegisError('ERR_TPM_MALFORMED', 'TPMT_PUBLIC: authPolicy size does not match nameAlg')
  }
  const symmetric = readSymDef(r)
  const common = { nameAlg, attributes, attrs: decodeObjectAttributes(attributes), authPolicy }

  if (type === TPM_ALG.RSA) {
    const scheme = readScheme(r, 'rsa')
    const keyBits = r.u16()
    if (keyBits === 0 || keyBits % 8 !== 0 || keyBits / 8 > MAX_RSA_KEY_BYTES) {
      throw new AegisError('ERR_TPM_MALFORMED', `TPMT_PUBLIC: RSA keyBits ${keyBits}`)
    }
    const rawExponent = r.u32()
    if (rawExponent !== 0 && (rawExponent < 3 || rawExponent % 2 === 0)) {
      throw new AegisError('ERR_TPM_MALFORMED', `TPMT_PUBLIC: RSA exponent ${rawExponent}`)
    }
    const modulus = r.sized(MAX_RSA_KEY_BYTES).slice()
    if (modulus.length !== keyBits / 8) {
      throw new AegisError(
        'ERR_TPM_MALFORMED',
        'TPMT_PUBLIC: modulus length does not match keyBits',
      )
    }
    const pub: RsaPublic = {
      type: 'rsa',
      ...common,
      symmetric,
      scheme,
      keyBits,
      exponent: rawExponent === 0 ? 65537 : rawExponent,
      modulus,
      raw: r.buf.slice(start, r.offset),
    }
    if (rawExponent === 65537) pub.exponentExplicit = true
    return pub
  }

  const scheme = readScheme(r, 'ecc')
  const curveId = r.u16()
  const curve = eccCurveFromTpm(curveId)
  if (!curve) {
    throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', `TPMT_PUBLIC: ECC curve 0x${hex4(curveId)}`)
  }
  const kdf = readKdf(r)
  const x = r.sized(MAX_ECC_KEY_BYTES).slice()
  const y = r.sized(MAX_ECC_KEY_BYTES).slice()
  const size = ECC_CURVE_BYTES[curve]
  if (x.length !== size || y.length !== size) {
    throw new AegisError('ERR_TPM_MALFORMED', `TPMT_PUBLIC: ECC point is not ${size}+${size} bytes`)
  }
  const pub: EccPublic = {
    type: 'ecc',
    ...common,
    symmetric,
    scheme,
    curve,
    kdf,
    x,
    y,
    raw: r.buf.slice(start, r.offset),
  }
  return pub
}

function readSymDef(r: ByteReader): SymDef {
  const alg = r.u16()
  if (alg === TPM_ALG.NULL) return { alg: 'null' }
  if (alg !== TPM_ALG.AES) {
    throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', `TPMT_SYM_DEF_OBJECT: algorithm 0x${hex4(alg)}`)
  }
  const keyBits = r.u16()
  if (keyBits !== 128 && keyBits !== 192 && keyBits !== 256) {
    throw new AegisError('ERR_TPM_MALFORMED', `TPMT_SYM_DEF_OBJECT: AES keyBits ${keyBits}`)
  }
  const mode = r.u16()
  // Part 2 §11.1.7 allows only CFB for the symmetric part of a storage key.
  if (mode !== TPM_ALG.CFB) {
    throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', `TPMT_SYM_DEF_OBJECT: mode 0x${hex4(mode)}`)
  }
  return { alg: 'aes', keyBits, mode: 'cfb' }
}

const RSA_SCHEMES: ReadonlySet<number> = new Set([
  TPM_ALG.RSASSA,
  TPM_ALG.RSAPSS,
  TPM_ALG.OAEP,
  TPM_ALG.RSAES,
])
const ECC_SCHEMES: ReadonlySet<number> = new Set([
  TPM_ALG.ECDSA,
  TPM_ALG.ECDH,
  TPM_ALG.ECDAA,
  TPM_ALG.SM2,
  TPM_ALG.ECSCHNORR,
  TPM_ALG.ECMQV,
])

/** TPMT_RSA_SCHEME / TPMT_ECC_SCHEME: the selector decides whether a hashAlg follows. */
function readScheme(r: ByteReader, keyType: 'rsa' | 'ecc'): Scheme {
  const alg = r.u16()
  if (alg === TPM_ALG.NULL) return { scheme: 'null' }
  if (!(keyType === 'rsa' ? RSA_SCHEMES : ECC_SCHEMES).has(alg)) {
    throw new AegisError('ERR_TPM_MALFORMED', `TPMT_PUBLIC: scheme 0x${hex4(alg)} for ${keyType}`)
  }
  // RSAES details are TPMS_EMPTY.
  if (alg === TPM_ALG.RSAES) return { scheme: 'other', algId: alg }
  if (alg === TPM_ALG.ECDAA) {
    throw new AegisError('ERR_TPM_UNSUPPORTED_ALG', 'TPMT_PUBLIC: ECDAA scheme')
  }
  const hashAlg = hashAlgFromTpm(r.u16())
  const named = HASH_SCHEMES[alg as keyof typeof HASH_SCHEMES]
  return named ? { scheme: named, hashAlg } : { scheme: 'other', algId: alg, hashAlg }
}

function readKdf(r: ByteReader): EccPublic['kdf'] {
  const alg = r.u16()
  if (alg === TPM_ALG.NULL) return { scheme: 'null' }
  for (const [scheme, id] of Object.entries(KDF_ALG)) {
    if (id === alg) {
      return { scheme: scheme as keyof typeof KDF_ALG, hashAlg: hashAlgFromTpm(r.u16()) }
    }
  }
  throw new AegisError('ERR_TPM_MALFORMED', `TPMT_KDF_SCHEME: 0x${hex4(alg)}`)
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0')
}
