/**
 * The shapes the provenance log's RPC methods and routes speak. Hashes are lowercase hex; sizes
 * and indices are safe integers; `timestamp` is milliseconds since the epoch (RFC 9162 §4.10).
 * Proof paths are in RFC 9162 order (§2.1.3.1 / §2.1.4.1: leaf side first), each a subtree hash.
 */
import type { TreeHead } from '../tokens/sign-tree-head.ts'

export type { TreeHead }

export interface AppendEntry {
  /** hex SHA-256 of the batch payload (DESIGN.md "Batch ingest") */
  batchId: string
  /** hex SHA-256 of the stored evidence bundle: the leaf's data is these 32 raw bytes */
  bundleSha256: string
}

export interface AppendResult {
  batchId: string
  index: number
}

export interface SignedTreeHead extends TreeHead {
  /** compact JWS by the collector, typ aegis-sth+jws (worker/tokens/sign-tree-head.ts) */
  signature: string
}

export interface InclusionProofResult {
  batchId: string
  bundleSha256: string
  index: number
  treeSize: number
  /** RFC 9162 leaf hash: SHA-256(0x00 || bundle hash bytes) */
  leafHash: string
  /** the root of the tree of `treeSize` leaves, which the path leads to */
  rootHash: string
  path: string[]
}

export interface ConsistencyProofResult {
  first: number
  second: number
  firstRoot: string
  secondRoot: string
  path: string[]
}

export interface ShardAppendResult {
  /** the entries this shard holds (already or now) */
  logged: AppendResult[]
  /** new entries a closed shard refuses: they belong in a later shard */
  refused: AppendEntry[]
  /** whether the root log lists this shard already */
  registered: boolean
}

export interface ShardState {
  closed: boolean
  registered: boolean
  treeSize: number
  /** the object's SQLite database, bytes: what its 10 GB storage limit is spent on */
  bytes: number
  /** the head logged in the root log, once closed */
  finalSth: SignedTreeHead | null
}

export interface ProvenanceProof {
  closed: boolean
  sth: SignedTreeHead
  inclusion: InclusionProofResult
}

export interface ShardEntry {
  id: string
  /** the shard's leaf index in the root log, null while it is open */
  rootIndex: number | null
}
