/**
 * What GET /v1/provenance/{batchId} returns and `aegis verify bundle` takes (format
 * `aegis-provenance/1`): the exact evidence-bundle bytes (base64url, so their hash survives any
 * JSON re-formatting), their hash, an inclusion proof in the transparency log, and the collector's
 * signed tree head that proof leads to. Since the log shards (worker/log/shards.ts), additively:
 * `shard`, the shard that holds the batch (the tree head's `log` claim names it), and once that
 * shard is closed, `root`: the inclusion of the shard's final tree head (leaf data: SHA-256 of
 * its JWS, which is `sth.signature`) in the root log and the root's signed tree head. Records
 * without `shard` are of the legacy log 'main'.
 */
export const PROVENANCE_FORMAT = 'aegis-provenance/1'

export interface ProvenanceRecord {
  format: typeof PROVENANCE_FORMAT
  batchId: string
  bundle: string
  bundleSha256: string
  inclusion: { index: number; treeSize: number; leafHash: string; path: string[] }
  sth: { treeSize: number; rootHash: string; timestamp: number; signature: string; log?: string }
  shard?: string
  root?: {
    inclusion: { index: number; treeSize: number; leafHash: string; path: string[] }
    sth: { treeSize: number; rootHash: string; timestamp: number; signature: string; log?: string }
  }
}
