/**
 * RSAES-OAEP (RFC 8017 §7.1) with MGF1 over the same hash: encryption, used to make TPM credential
 * blobs for RSA EKs (TPM 2.0 Part 1 §24 and Annex B.10.3, label "IDENTITY\0"), and decryption,
 * which exists so tests can check the encoder by round trip and against Wycheproof. Decryption
 * uses plain, non-constant-time modular exponentiation and one undifferentiated error, fine for
 * tests; it is not meant to hold a production private key. Encryption applies the same 2048-bit
 * minimum as verification: a secret encrypted to a weak key is not a secret.
 */
import { bigIntToBytes, bytesToBigInt, concat, constantTimeEqual } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import type { HashAlg } from '../tpm/types.ts'
import { digest, digestLength } from './hash.ts'
import { mgf1 } from './mgf1.ts'
import { modPow } from './modpow.ts'
import { rsaKey, type RsaPublicKeyInput } from './rsa-key.ts'

export function rsaOaepEncrypt(
  pub: RsaPublicKeyInput,
  hashAlg: HashAlg,
  label: Uint8Array,
  msg: Uint8Array,
  seed?: Uint8Array,
): Uint8Array {
  const key = rsaKey(pub)
  const hLen = digestLength(hashAlg)
  const k = key.k
  // §7.1.1 step 1b
  if (msg.length > k - 2 * hLen - 2) {
    throw new AegisError(
      'ERR_INPUT_TOO_LARGE',
      `OAEP message of ${msg.length} bytes is too long for the key`,
    )
  }
  const db = new Uint8Array(k - hLen - 1)
  db.set(digest(hashAlg, label))
  db[db.length - msg.length - 1] = 0x01
  db.set(msg, db.length - msg.length)
  const s = seed ?? crypto.getRandomValues(new Uint8Array(hLen))
  if (s.length !== hLen) throw new AegisError('ERR_INTERNAL', `OAEP seed must be ${hLen} bytes`)
  const dbMask = mgf1(hashAlg, s, db.length)
  for (let i = 0; i < db.length; i++) db[i] ^= dbMask[i]!
  const maskedSeed = mgf1(hashAlg, db, hLen)
  for (let i = 0; i < hLen; i++) maskedSeed[i] ^= s[i]!
  const em = concat(new Uint8Array(1), maskedSeed, db)
  return bigIntToBytes(modPow(bytesToBigInt(em), key.e, key.n), k)
}

/** Test helper: RFC 8017 §7.1.2. Every failure is the same ERR_INPUT_MALFORMED "decryption error". */
export function rsaOaepDecrypt(
  priv: { n: Uint8Array; d: Uint8Array },
  hashAlg: HashAlg,
  label: Uint8Array,
  c: Uint8Array,
): Uint8Array {
  const fail = () => new AegisError('ERR_INPUT_MALFORMED', 'OAEP decryption error')
  const n = bytesToBigInt(priv.n)
  const k = Math.ceil(n.toString(2).length / 8)
  const hLen = digestLength(hashAlg)
  if (c.length !== k || k < 2 * hLen + 2) throw fail()
  const cInt = bytesToBigInt(c)
  if (cInt >= n) throw fail()
  const em = bigIntToBytes(modPow(cInt, bytesToBigInt(priv.d), n), k)
  const maskedSeed = em.subarray(1, 1 + hLen)
  const db = em.slice(1 + hLen)
  const seed = mgf1(hashAlg, db, hLen)
  for (let i = 0; i < hLen; i++) seed[i] ^= maskedSeed[i]!
  const dbMask = mgf1(hashAlg, seed, db.length)
  for (let i = 0; i < db.length; i++) db[i] ^= dbMask[i]!
  // Evaluate every condition before deciding, so the failure reason does not shape the timing.
  let ok = em[0] === 0 && constantTimeEqual(db.subarray(0, hLen), digest(hashAlg, label))
  let sep = -1
  for (let i = hLen; i < db.length; i++) {
    if (sep < 0 && db[i] === 0x01) sep = i
    else if (sep < 0 && db[i] !== 0x00) ok = false
  }
  if (!ok || sep < 0) throw fail()
  return db.slice(sep + 1)
}
