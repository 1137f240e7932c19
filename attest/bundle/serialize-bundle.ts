/**
 * Assemble an evidence bundle and its canonical bytes. Deterministic: the same accepted batch and
 * agent record always give the same bytes (and so the same hash), which keeps the R2 write and the
 * log append idempotent when the sync consumer runs twice.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { toHex, utf8 } from '../bytes/encoding.ts'
import { BUNDLE_FORMAT, type EvidenceBundle } from './evidence-bundle.ts'

/** The canonical bytes alone: a caller with a native SHA-256 (the collector) hashes them itself. */
export function bundleBytes(b: EvidenceBundle): Uint8Array {
  return utf8(JSON.stringify(b))
}

export function serializeBundle(b: EvidenceBundle): { bytes: Uint8Array; sha256: string } {
  const bytes = bundleBytes(b)
  return { bytes, sha256: toHex(sha256(bytes)) }
}

export function bundleKey(agentId: string, batchId: string): string {
  return `evidence/${agentId}/${batchId}.json`
}

export { BUNDLE_FORMAT }
