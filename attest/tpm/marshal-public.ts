/**
 * Marshals a TpmPublic back into TPMT_PUBLIC / TPM2B_PUBLIC, field by field (never from `raw`),
 * so synthetic keys built in tests and benchmarks have the exact bytes a TPM would produce, and
 * marshalTpmtPublic(parseTpmtPublic(b)) == b. It checks only what it needs to write the bytes;
 * parse the result to validate a hand-built key.
 * Follows TPM 2.0 Part 2 §12.2.4 TPMT_PUBLIC and §12.2.5 TPM2B_PUBLIC.
 */
import { AegisError } from '../errors.ts'
import { ByteWriter } from '../bytes/writer.ts'
import { tpmAlgOfHash } from '../crypto/hash.ts'
import { KDF_ALG, SCHEME_ALG, TPM_ALG, TPM_ECC_CURVE } from './constants.ts'
import type { Scheme, SymDef, TpmPublic } from './types.ts'

export function marshalTpmtPublic(pub: TpmPublic): Uint8Array {
  const w = new ByteWriter()
  writeTpmtPublic(w, pub)
  return w.finish()
}

export function marshalTpm2bPublic(pub: TpmPublic): Uint8Array {
  return new ByteWriter().sized(marshalTpmtPublic(pub)).finish()
}

export function writeTpmtPublic(w: ByteWriter, pub: TpmPublic): void {
  w.u16(pub.type === 'rsa' ? TPM_ALG.RSA : TPM_ALG.ECC)
  w.u16(tpmAlgOfHash(pub.nameAlg))
  w.u32(pub.attributes >>> 0)
  w.sized(pub.authPolicy)
  writeSymDef(w, pub.symmetric)
  writeScheme(w, pub.scheme)
  if (pub.type === 'rsa') {
    w.u16(pub.keyBits)
    // The TPM reports the default exponent as 0 (Part 2 §12.2.3.5).
    w.u32(pub.exponent === 65537 && !pub.exponentExplicit ? 0 : pub.exponent)
    w.sized(pub.modulus)
    return
  }
  w.u16(TPM_ECC_CURVE[pub.curve])
  if (pub.kdf.scheme === 'null') w.u16(TPM_ALG.NULL)
  else w.u16(KDF_ALG[pub.kdf.scheme]).u16(tpmAlgOfHash(pub.kdf.hashAlg))
  w.sized(pub.x).sized(pub.y)
}

function writeSymDef(w: ByteWriter, s: SymDef): void {
  if (s.alg === 'null') w.u16(TPM_ALG.NULL)
  else w.u16(TPM_ALG.AES).u16(s.keyBits).u16(TPM_ALG.CFB)
}

function writeScheme(w: ByteWriter, s: Scheme): void {
  if (s.scheme === 'null') {
    w.u16(TPM_ALG.NULL)
  } else if (s.scheme === 'other') {
    w.u16(s.algId)
    if (s.hashAlg !== undefined) w.u16(tpmAlgOfHash(s.hashAlg))
  } else {
    const id = SCHEME_ALG[s.scheme]
    if (id === undefined) throw new AegisError('ERR_INTERNAL', `unknown scheme ${String(s.scheme)}`)
    w.u16(id).u16(tpmAlgOfHash(s.hashAlg))
  }
}
