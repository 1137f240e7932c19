/**
 * RFC 9162 §2.1.1 Merkle hashing with SHA-256: the leaf hash SHA-256(0x00 || data), the interior
 * node hash SHA-256(0x01 || left || right), and the empty tree's hash SHA-256(""). The distinct
 * 0x00/0x01 prefixes are what stop a leaf from being passed off as an interior node (second
 * preimage). Leaves out other hash algorithms: the log is SHA-256 only.
 */
import { sha256 } from '../crypto/hash.ts'

export const HASH_SIZE = 32

export function leafHash(data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + data.length)
  buf[0] = 0x00
  buf.set(data, 1)
  return sha256(buf)
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length)
  buf[0] = 0x01
  buf.set(left, 1)
  buf.set(right, 1 + left.length)
  return sha256(buf)
}

/** MTH({}) = SHA-256 of the empty string; a fresh copy each call, so no caller can alter it. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0))
}
