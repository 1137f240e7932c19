/**
 * Assemble an evidence bundle and its canonical bytes. Deterministic: the same accepted batch and
 * agent record always give the same bytes (and so the same hash), which keeps the R2 write and the
 * log append idempotent when the sync consumer runs twice.
 */
import { sha256 } from '../crypto/hash.ts'
import { toHex, utf8 } from '../bytes/encoding.ts'
import { BUNDLE_FORMAT, type EvidenceBundle } from './evidence-bundle.ts'

export function serializeBundle(b: EvidenceBundle): { bytes: Uint8Array; sha256: string } {
  const bytes = utf8(JSON.stringify(b))
  return { bytes, sha256: toHex(sha256(bytes)) }
}

export function bundleKey(agentId: string, batchId: string): string {
  return `evidence/${agentId}/${batchId}.json`
}

export { BUNDLE_FORMAT }
