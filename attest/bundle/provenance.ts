/**
 * What GET /v1/provenance/{batchId} returns and `aegis verify bundle` takes (format
 * `aegis-provenance/1`): the exact evidence-bundle bytes (base64url, so their hash survives any
 * JSON re-formatting), their hash, an inclusion proof in the transparency log, and the collector's
 * signed tree head that proof leads to.
 */
export const PROVENANCE_FORMAT = 'aegis-provenance/1'

export interface ProvenanceRecord {
  format: typeof PROVENANCE_FORMAT
  batchId: string
  bundle: string
  bundleSha256: string
  inclusion: { index: number; treeSize: number; leafHash: string; path: string[] }
  sth: { treeSize: number; rootHash: string; timestamp: number; signature: string }
}
