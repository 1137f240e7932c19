/**
 * AlgorithmIdentifier and SubjectPublicKeyInfo decoding for certificates: signature algorithms
 * (RFC 4055 §5 PKCS#1 v1.5, RFC 4055 §3.1 RSASSA-PSS-params, RFC 5758 §3.2 ECDSA) and public keys
 * (RFC 3279 §2.3.1 RSAPublicKey, RFC 5480 §2 EC keys with a named curve, uncompressed or
 * compressed). Unknown algorithms and unsupported PSS parameters decode as kind/type 'other' so a
 * bundle holding them still parses; they simply never verify. Leaves out explicit curve parameters.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js'
import { bigIntToBytes, bytesToBigInt } from '../bytes/encoding.ts'
import type { EccCurve, HashAlg } from '../tpm/types.ts'
import { curveParams } from '../crypto/ec-curves.ts'
import {
  type Node,
  bitString,
  decodeDer,
  isContext,
  isNull,
  malformed,
  oid,
  children,
  sequence,
  smallInteger,
  unsignedInteger,
} from './der.ts'
import { CURVE_OIDS, HASH_OIDS, OID, SIG_OIDS } from './oids.ts'
import type { CertPublicKey, CertSignatureAlgorithm } from './types.ts'

function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** A hash AlgorithmIdentifier whose parameters are absent or NULL (RFC 4055 §2.1). */
function hashAlgorithm(n: Node, what: string): HashAlg | undefined {
  const [o, params, ...rest] = sequence(n, what)
  if (rest.length || (params !== undefined && !isNull(params))) throw malformed(what)
  return own(HASH_OIDS, oid(o, what))
}

function pssParams(n: Node | undefined, what: string): CertSignatureAlgorithm {
  const unsupported = {
    oid: OID.rsassaPss,
    name: 'RSASSA-PSS (unsupported parameters)',
    kind: 'other',
  } as const
  // RFC 4055 §3.1 defaults: SHA-1, MGF1-SHA-1, salt 20, trailer 1.
  let hash: HashAlg | undefined = 'sha1'
  let mgfHash: HashAlg | undefined = 'sha1'
  let saltLength = 20
  let trailer = 1
  let last = -1
  for (const f of sequence(n, what)) {
    const tag = [0, 1, 2, 3].find((t) => isContext(f, t, true))
    if (tag === undefined || tag <= last) throw malformed(what)
    last = tag
    const [inner, ...extra] = children(f, what)
    if (!inner || extra.length) throw malformed(what)
    if (tag === 0) hash = hashAlgorithm(inner, what)
    else if (tag === 1) {
      const [mo, mp, ...more] = sequence(inner, what)
      if (more.length) throw malformed(what)
      mgfHash = oid(mo, what) === OID.mgf1 && mp ? hashAlgorithm(mp, what) : undefined
    } else if (tag === 2) saltLength = smallInteger(inner, what)
    else trailer = smallInteger(inner, what)
  }
  if (!hash || hash !== mgfHash || trailer !== 1) return unsupported
  return {
    oid: OID.rsassaPss,
    name: `RSASSA-PSS (${hash}, salt ${saltLength})`,
    kind: 'rsa-pss',
    hash,
    saltLength,
  }
}

export function readSignatureAlgorithm(n: Node, what: string): CertSignatureAlgorithm {
  const [o, params, ...rest] = sequence(n, what)
  if (rest.length) throw malformed(what)
  const id = oid(o, what)
  if (id === OID.rsassaPss) return pssParams(params, what)
  const known = own(SIG_OIDS, id)
  if (!known) return { oid: id, name: id, kind: 'other' }
  // RFC 4055 §5 wants NULL for PKCS#1, RFC 5758 §3.2 wants nothing for ECDSA; both forms occur.
  if (params !== undefined && !isNull(params)) throw malformed(what)
  return { oid: id, ...known }
}

const NOBLE = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const

function ecPoint(
  curve: EccCurve,
  point: Uint8Array,
  what: string,
): { x: Uint8Array; y: Uint8Array } {
  const { size } = curveParams(curve)
  if (point[0] === 0x04 && point.length === 1 + 2 * size) {
    return { x: point.slice(1, 1 + size), y: point.slice(1 + size) }
  }
  if ((point[0] === 0x02 || point[0] === 0x03) && point.length === 1 + size) {
    try {
      const a = NOBLE[curve].Point.fromBytes(point).toAffine()
      return { x: bigIntToBytes(a.x, size), y: bigIntToBytes(a.y, size) }
    } catch (e) {
      throw malformed(`${what} (EC point)`, e)
    }
  }
  throw malformed(`${what} (EC point encoding)`)
}

export function readPublicKey(n: Node, what: string): CertPublicKey {
  const [alg, bits, ...rest] = sequence(n, what)
  if (rest.length) throw malformed(what)
  const [o, params, ...more] = sequence(alg, what)
  if (more.length) throw malformed(what)
  const id = oid(o, what)
  const key = bitString(bits, what)
  if (id === OID.rsaEncryption || id === OID.rsassaPss) {
    if (key.unusedBits) throw malformed(what)
    const [nInt, eInt, ...extra] = sequence(decodeDer(key.bytes, `${what} RSAPublicKey`), what)
    if (extra.length) throw malformed(what)
    const modulus = unsignedInteger(nInt, `${what} modulus`)
    const exponent = unsignedInteger(eInt, `${what} exponent`)
    const nBig = bytesToBigInt(modulus)
    return {
      type: 'rsa',
      n: modulus.slice(),
      e: bytesToBigInt(exponent),
      bits: nBig === 0n ? 0 : nBig.toString(2).length,
    }
  }
  if (id === OID.ecPublicKey) {
    const curve = params ? own(CURVE_OIDS, oid(params, `${what} namedCurve`)) : undefined
    if (!curve) return { type: 'other', algorithm: `${id} (unsupported curve)` }
    if (key.unusedBits) throw malformed(what)
    return { type: 'ec', curve, ...ecPoint(curve, key.bytes, what) }
  }
  return { type: 'other', algorithm: id }
}
