/**
 * A signed tree head for the transparency log: a compact JWS (ES256, `typ: aegis-sth+jws`, `kid`)
 * over the JSON `{treeSize, rootHash, timestamp}`, the tree head of RFC 9162 §4.10 (TreeHeadDataV2)
 * in JSON: `timestamp` in milliseconds as there, `rootHash` the lowercase hex SHA-256 Merkle root
 * (RFC 9162 §2.1.1; the empty tree's root is SHA-256 of the empty string). Leaves out the log's
 * extensions and the log id: the signing key (`kid`) identifies the collector, and `log` names the
 * shard ('2026-12') or the root log ('root') so a head of one cannot pass for another's; the
 * legacy log 'main' signs without it, as before shards.
 */
import { hexDigest, integer } from './check-claims.ts'
import type { CollectorKeyEnv } from './collector-keys.ts'
import { signCompact } from './sign-compact.ts'

import { TREE_HEAD_TYP } from '../../attest/tokens/typ.ts'

export { TREE_HEAD_TYP }

export interface TreeHead {
  treeSize: number
  rootHash: string
  /** milliseconds since the epoch */
  timestamp: number
  /** the shard or 'root'; absent for the legacy log 'main' */
  log?: string
}

export async function signTreeHead(env: CollectorKeyEnv, sth: TreeHead): Promise<string> {
  const payload = {
    treeSize: integer(sth.treeSize, 'treeSize', 0, Number.MAX_SAFE_INTEGER),
    rootHash: hexDigest(sth.rootHash, 'rootHash', 32),
    timestamp: integer(sth.timestamp, 'timestamp', 0, Number.MAX_SAFE_INTEGER),
    ...(sth.log === undefined ? {} : { log: sth.log }),
  }
  return signCompact(env, TREE_HEAD_TYP, payload)
}
