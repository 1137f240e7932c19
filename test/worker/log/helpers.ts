/** Shared bits for the provenance log tests: fresh logs, entries, and hex proof decoding. */
import { sha256 } from '@noble/hashes/sha2.js'
import { env } from 'cloudflare:workers'
import { fromHex, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { leafHash } from '../../../attest/merkle/hash.ts'
import { unwrap } from '../../../worker/ledger/rpc-result.ts'
import { provenanceLog, type ProvenanceLogApi } from '../../../worker/log/log-stub.ts'
import type { AppendEntry } from '../../../worker/log/types.ts'

/** A log of its own, so a test starts from the empty tree whatever else ran. */
export function freshLog(): ProvenanceLogApi {
  return provenanceLog(env, `test-${crypto.randomUUID()}`)
}

/** Entry i of a test run: batchId and bundle hash both derived from `tag` and i. */
export function entry(tag: string, i: number): AppendEntry {
  return {
    batchId: toHex(sha256(utf8(`batch ${tag} ${i}`))),
    bundleSha256: toHex(sha256(utf8(`bundle ${tag} ${i}`))),
  }
}

export function entries(tag: string, from: number, to: number): AppendEntry[] {
  return Array.from({ length: to - from }, (_, k) => entry(tag, from + k))
}

/** RFC 9162 leaf hash of an entry: the leaf data is the raw 32-byte bundle hash. */
export function leafOf(e: AppendEntry): Uint8Array {
  return leafHash(fromHex(e.bundleSha256))
}

export async function appendAll(log: ProvenanceLogApi, es: AppendEntry[]) {
  return unwrap(await log.append(es))
}

export const bytes = (hs: string[]) => hs.map((h) => fromHex(h))
