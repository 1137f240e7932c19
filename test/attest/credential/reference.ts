/**
 * Test-only reference for the TPM side of credential protection, written independently of
 * attest/credential: naive KDFa / KDFe straight from TPM 2.0 Part 1 §11.4.10, and
 * TPM2_ActivateCredential's unwrap (Part 1 §24.4-24.5, Part 3 §12.5) on WebCrypto (RSA-OAEP, ECDH,
 * AES via single-block AES-CBC, HMAC). Private keys come from the tpm-test-vectors TPMT_SENSITIVE.
 */
import { hmac } from '@noble/hashes/hmac.js'
import { sha1 } from '@noble/hashes/legacy.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { bigIntToBytes, bytesToBigInt, concat, toB64url } from '../../../attest/bytes/encoding.ts'
import { ByteReader } from '../../../attest/bytes/reader.ts'
import type { HashAlg, TpmPublic } from '../../../attest/tpm/types.ts'

const H = { sha1, sha256, sha384, sha512 }
const WEB_HASH: Record<HashAlg, string> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's typings want. */
function ab(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(u)
}

/** ECDH derive params; workerd's typings spell the member `$public`, the DOM's `public`. */
function ecdh(pub: CryptoKey): Parameters<SubtleCrypto['deriveBits']>[0] {
  return { name: 'ECDH', public: pub } as unknown as Parameters<SubtleCrypto['deriveBits']>[0]
}

function u32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
}

function cut(stream: number[], bits: number): Uint8Array {
  const out = Uint8Array.from(stream.slice(0, Math.ceil(bits / 8)))
  if (bits % 8) out[0] = out[0]! & (0xff >> (8 - (bits % 8)))
  return out
}

function nulTerminated(label: string): number[] {
  return [...new TextEncoder().encode(label.replace(/\0$/, '')), 0]
}

/**
 * Part 1 §11.4.10.2, read literally: K(i) = HMAC(key, [i]_32 || Label || 00 || Context ||
 * [bits]_32) with Label NUL-terminated once and Context = contextU || contextV; keep the leftmost
 * bits, zeroing excess high bits of the first byte.
 */
export function naiveKdfa(
  alg: HashAlg,
  key: Uint8Array,
  label: string,
  u: Uint8Array,
  v: Uint8Array,
  bits: number,
): Uint8Array {
  let stream: number[] = []
  for (let i = 1; stream.length * 8 < bits; i++) {
    const msg = Uint8Array.from([...u32(i), ...nulTerminated(label), ...u, ...v, ...u32(bits)])
    stream = stream.concat([...hmac(H[alg], key, msg)])
  }
  return cut(stream, bits)
}

/** Part 1 §11.4.10.3: K(i) = H([i]_32 || Z || Use || 00 || PartyUInfo || PartyVInfo). */
export function naiveKdfe(
  alg: HashAlg,
  z: Uint8Array,
  use: string,
  pu: Uint8Array,
  pv: Uint8Array,
  bits: number,
): Uint8Array {
  let stream: number[] = []
  for (let i = 1; stream.length * 8 < bits; i++) {
    const msg = Uint8Array.from([...u32(i), ...z, ...nulTerminated(use), ...pu, ...pv])
    stream = stream.concat([...H[alg](msg)])
  }
  return cut(stream, bits)
}

/** The `sensitive` member of a TPMT_SENSITIVE: RSA prime p, or the ECC private scalar. */
export function sensitiveOf(tpmtSensitive: Uint8Array): Uint8Array {
  const r = new ByteReader(tpmtSensitive)
  r.u16()
  r.sized()
  r.sized()
  const s = r.sized()
  r.end()
  return s
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return ((s0 % m) + m) % m
}

const b64 = (n: bigint, len?: number) =>
  toB64url(
    len === undefined
      ? bigIntToBytes(n, Math.ceil(n.toString(16).length / 2))
      : bigIntToBytes(n, len),
  )

/** Recover the seed as the TPM does (Part 1 §24.4 / Annex B.10.4, C.6.4) with WebCrypto. */
export async function recoverSeed(
  key: TpmPublic,
  privateSensitive: Uint8Array,
  encryptedSecret: Uint8Array,
  label: string,
): Promise<Uint8Array> {
  if (key.type === 'rsa') {
    const n = bytesToBigInt(key.modulus)
    const e = BigInt(key.exponent)
    const p = bytesToBigInt(sensitiveOf(privateSensitive))
    const q = n / p
    const d = modInverse(e, (p - 1n) * (q - 1n))
    const jwk: JsonWebKey = {
      kty: 'RSA',
      n: toB64url(key.modulus),
      e: b64(e),
      d: b64(d, key.modulus.length),
      p: b64(p),
      q: b64(q),
      dp: b64(d % (p - 1n)),
      dq: b64(d % (q - 1n)),
      qi: b64(modInverse(q, p)),
    }
    const k = await crypto.subtle.importKey(
      'jwk',
      jwk,
      { name: 'RSA-OAEP', hash: WEB_HASH[key.nameAlg] },
      false,
      ['decrypt'],
    )
    const labelBytes = Uint8Array.from(nulTerminated(label))
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: 'RSA-OAEP', label: labelBytes }, k, ab(encryptedSecret)),
    )
  }
  const r = new ByteReader(encryptedSecret)
  const xe = r.sized()
  const ye = r.sized()
  r.end()
  const crv = key.curve
  const priv = await crypto.subtle.importKey(
    'jwk',
    {
      kty: 'EC',
      crv,
      x: toB64url(key.x),
      y: toB64url(key.y),
      d: toB64url(sensitiveOf(privateSensitive)),
    },
    { name: 'ECDH', namedCurve: crv },
    false,
    ['deriveBits'],
  )
  const pub = await crypto.subtle.importKey(
    'raw',
    ab(concat(Uint8Array.of(4), xe, ye)),
    { name: 'ECDH', namedCurve: crv },
    false,
    [],
  )
  const z = new Uint8Array(await crypto.subtle.deriveBits(ecdh(pub), priv, key.x.length * 8))
  return naiveKdfe(key.nameAlg, z, label, xe, key.x, H[key.nameAlg].outputLen * 8)
}

async function aesBlock(key: CryptoKey, block: Uint8Array): Promise<Uint8Array> {
  // AES-CBC with a zero IV encrypts the first block as plain AES; the padding block is dropped.
  const out = await crypto.subtle.encrypt(
    { name: 'AES-CBC', iv: new Uint8Array(16) },
    key,
    ab(block),
  )
  return new Uint8Array(out).slice(0, 16)
}

/**
 * TPM2_ActivateCredential after the seed is known: check the outer HMAC, then decrypt the
 * identity with AES-CFB (zero IV) and return the credential. Throws 'integrity' or 'size' like the
 * TPM's TPM_RC_INTEGRITY / TPM_RC_SIZE.
 */
export async function unwrapCredential(
  key: TpmPublic,
  seed: Uint8Array,
  objectName: Uint8Array,
  credentialBlob: Uint8Array,
): Promise<Uint8Array> {
  if (key.symmetric.alg !== 'aes') throw new Error('no symmetric')
  const alg = key.nameAlg
  const r = new ByteReader(credentialBlob)
  const integrity = r.sized()
  const encIdentity = r.bytes(r.remaining)
  const hmacKey = naiveKdfa(
    alg,
    seed,
    'INTEGRITY',
    new Uint8Array(0),
    new Uint8Array(0),
    H[alg].outputLen * 8,
  )
  const hk = await crypto.subtle.importKey(
    'raw',
    ab(hmacKey),
    { name: 'HMAC', hash: WEB_HASH[alg] },
    false,
    ['verify'],
  )
  const ok = await crypto.subtle.verify(
    'HMAC',
    hk,
    ab(integrity),
    ab(concat(encIdentity, objectName)),
  )
  if (!ok) throw new Error('integrity')
  const symKey = naiveKdfa(
    alg,
    seed,
    'STORAGE',
    objectName,
    new Uint8Array(0),
    key.symmetric.keyBits,
  )
  const ak = await crypto.subtle.importKey('raw', ab(symKey), 'AES-CBC', false, ['encrypt'])
  const plain = new Uint8Array(encIdentity.length)
  let prev: Uint8Array = new Uint8Array(16)
  for (let off = 0; off < encIdentity.length; off += 16) {
    const ks = await aesBlock(ak, prev)
    const c = encIdentity.subarray(off, off + 16)
    for (let i = 0; i < c.length; i++) plain[off + i] = c[i]! ^ ks[i]!
    prev = c
  }
  const size = (plain[0]! << 8) | plain[1]!
  if (size !== plain.length - 2 || size > H[alg].outputLen) throw new Error('size')
  return plain.slice(2)
}
