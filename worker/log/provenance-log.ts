/**
 * ProvenanceLog: the transparency log of evidence bundles (DESIGN.md "Async sync and provenance"),
 * one SQLite-backed Durable Object named 'main'. A leaf's data is the raw 32-byte SHA-256 of a
 * stored bundle, hashed per RFC 9162 §2.1.1; each batch is logged once (batch_id UNIQUE, and
 * re-appending it returns its first index). Besides the leaves it keeps the hash of every
 * complete subtree, node(level, index) over the 2^level leaves from index * 2^level, written once
 * when the subtree fills and never changed; a root, an inclusion proof (§2.1.3.1) or a consistency
 * proof (§2.1.4.1) then reads O(log n) rows through attest/merkle/subtree-root.ts, and an append
 * touches O(log n) rows. The latest signed tree head (RFC 9162 §4.10, signed by
 * worker/tokens/sign-tree-head.ts) is kept: `signedTreeHead` re-signs only when the tree has
 * grown, `publishTreeHead` (the cron) always signs a fresh one so auditors can see the log is live.
 * Shards (worker/log/shards.ts): each shard is an object of this class named 'shard:<id>', whose
 * heads name the shard; `close` freezes a shard for good (its final head then goes into the
 * root log, the object 'root', an instance of this class too, whose leaves are the SHA-256 of
 * closed shards' final head JWS and which also keeps the list of shards).
 * Methods return RpcResult (../ledger/rpc-result.ts); callers `unwrap`.
 * Leaves out deleting or rewriting leaves: the log is append-only by construction.
 */
import { DurableObject } from 'cloudflare:workers'
import { fromHex, toHex } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { consistencyPathWith } from '../../attest/merkle/consistency-path.ts'
import { leafHash, nodeHash } from '../../attest/merkle/hash.ts'
import { inclusionPathWith } from '../../attest/merkle/inclusion-path.ts'
import { subtreeRoot, type RangeHash } from '../../attest/merkle/subtree-root.ts'
import { isSize, log2Exact, powerOfTwoAtMost } from '../../attest/merkle/tree-math.ts'
import { capture, captureAsync, unwrap, type RpcResult } from '../ledger/rpc-result.ts'
import { signTreeHead } from '../tokens/sign-tree-head.ts'
import { isShardId, logLabel, rootKey } from './shards.ts'
import type {
  AppendEntry,
  AppendResult,
  ConsistencyProofResult,
  InclusionProofResult,
  ProvenanceProof,
  ShardAppendResult,
  ShardEntry,
  ShardState,
  SignedTreeHead,
  TreeHead,
} from './types.ts'

const HEX32 = /^[0-9a-f]{64}$/

/** Entries per append call: a sync queue batch is at most 50, so this only stops runaway input. */
export const MAX_APPEND = 500

interface LeafRow extends Record<string, SqlStorageValue> {
  idx: number
  leaf_hash: ArrayBuffer
  batch_id: string
  bundle_sha256: string
}

export class ProvenanceLog extends DurableObject<Env> {
  private readonly sql: SqlStorage
  /** what its heads name it by: the shard, 'root', or nothing for the legacy 'main' */
  private readonly label: string | undefined

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.label = logLabel(ctx.id.name)
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(`
        CREATE TABLE IF NOT EXISTS leaves (
          idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, batch_id TEXT NOT NULL UNIQUE,
          bundle_sha256 TEXT NOT NULL, appended_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS nodes (
          level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
          PRIMARY KEY (level, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sth (
          id INTEGER PRIMARY KEY CHECK (id = 1), tree_size INTEGER NOT NULL, root_hash TEXT NOT NULL,
          timestamp INTEGER NOT NULL, signature TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS shard_state (
          id INTEGER PRIMARY KEY CHECK (id = 1), closed_at INTEGER, final_sth TEXT,
          registered INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS shards (
          id TEXT PRIMARY KEY, root_key TEXT NOT NULL, registered_at INTEGER NOT NULL);
        INSERT OR IGNORE INTO shard_state (id) VALUES (1);
      `)
    })
  }

  // ---- appending ------------------------------------------------------------------------------

  /**
   * Log each bundle once; the whole call is one transaction, so it applies fully or not at all.
   * A closed shard still answers for the bundles it holds but refuses new ones
   * (ERR_LOG_SHARD_CLOSED).
   */
  append(entries: AppendEntry[]): RpcResult<AppendResult[]> {
    return capture(() => {
      const r = this.doAppend(entries)
      if (r.refused.length > 0) {
        throw new AegisError('ERR_LOG_SHARD_CLOSED', 'this log shard is closed', {
          detail: { shard: this.label, refused: r.refused.map((e) => e.batchId) },
        })
      }
      return r.logged
    })
  }

  /**
   * The consumer's append: like `append`, but a closed shard lists the new bundles it refuses
   * (they go to a later shard) instead of failing, and says whether the root log knows the shard.
   */
  appendToShard(entries: AppendEntry[]): RpcResult<ShardAppendResult> {
    return capture(() => this.doAppend(entries))
  }

  /**
   * One read of the entries already logged, then the new leaves and the subtree nodes they
   * complete in two statements (each binds its rows as one JSON array): 3 statements per append
   * instead of about 3 per entry.
   */
  private doAppend(entries: AppendEntry[]): ShardAppendResult {
    const list = checkEntries(entries)
    const now = Date.now()
    return this.ctx.storage.transactionSync(() => {
      let size = this.size()
      const frontier = this.frontier(size)
      const closed = this.state().closed
      const known = this.leavesByBatch(list.map((e) => e.batchId))
      const out: AppendResult[] = []
      const refused: AppendEntry[] = []
      const rows: NewRows = { leaves: [], nodes: [] }
      for (const e of list) {
        const k = known.get(e.batchId)
        if (k) {
          if (k.bundleSha256 !== e.bundleSha256) {
            throw new AegisError(
              'ERR_LOG_CONFLICT',
              'batch is already logged with another bundle',
              {
                detail: { batchId: e.batchId, index: k.idx },
              },
            )
          }
          out.push({ batchId: e.batchId, index: k.idx })
          continue
        }
        if (closed) {
          refused.push(e)
          continue
        }
        appendLeaf(size, e, frontier, rows)
        known.set(e.batchId, { idx: size, bundleSha256: e.bundleSha256 })
        out.push({ batchId: e.batchId, index: size })
        size++
      }
      this.insertRows(rows, now)
      return { logged: out, refused, registered: this.state().registered }
    })
  }

  private insertRows({ leaves, nodes }: NewRows, now: number): void {
    if (leaves.length > 0) {
      this.sql.exec(
        `INSERT INTO leaves (idx, leaf_hash, batch_id, bundle_sha256, appended_at)
           SELECT value ->> 0, unhex(value ->> 1), value ->> 2, value ->> 3, ?2 FROM json_each(?1)`,
        JSON.stringify(leaves),
        now,
      )
    }
    if (nodes.length > 0) {
      this.sql.exec(
        `INSERT INTO nodes (level, idx, hash)
           SELECT value ->> 0, value ->> 1, unhex(value ->> 2) FROM json_each(?1)`,
        JSON.stringify(nodes),
      )
    }
  }

  // ---- tree heads -----------------------------------------------------------------------------

  treeHead(): RpcResult<TreeHead> {
    return capture(() => this.head(this.size(), Date.now()))
  }

  /** The latest signed tree head if it covers every leaf; otherwise a new one. */
  signedTreeHead(): Promise<RpcResult<SignedTreeHead>> {
    return captureAsync(() => this.latestSigned())
  }

  /** A freshly signed tree head even if the tree has not grown (the cron's liveness signal). */
  publishTreeHead(): Promise<RpcResult<SignedTreeHead>> {
    return captureAsync(() => this.sign())
  }

  private async sign(): Promise<SignedTreeHead> {
    const before = this.loadSth()
    // Timestamps never go backwards, whatever the clock does.
    const head = this.head(this.size(), Math.max(Date.now(), before?.timestamp ?? 0))
    const sth = { ...head, signature: await signTreeHead(this.env, head) }
    // Signing awaits, so another call may have stored a head meanwhile: the newest one wins.
    const latest = this.loadSth()
    if (
      latest &&
      (latest.treeSize > sth.treeSize ||
        (latest.treeSize === sth.treeSize && latest.timestamp >= sth.timestamp))
    ) {
      return latest
    }
    this.sql.exec(
      `INSERT OR REPLACE INTO sth (id, tree_size, root_hash, timestamp, signature)
       VALUES (1, ?, ?, ?, ?)`,
      sth.treeSize,
      sth.rootHash,
      sth.timestamp,
      sth.signature,
    )
    return sth
  }

  private loadSth(): SignedTreeHead | null {
    const row = this.sql
      .exec<{ tree_size: number; root_hash: string; timestamp: number; signature: string }>(
        'SELECT tree_size, root_hash, timestamp, signature FROM sth WHERE id = 1',
      )
      .toArray()[0]
    if (!row) return null
    return {
      treeSize: row.tree_size,
      rootHash: row.root_hash,
      timestamp: row.timestamp,
      ...(this.label === undefined ? {} : { log: this.label }),
      signature: row.signature,
    }
  }

  // ---- shards ---------------------------------------------------------------------------------

  /**
   * Freeze this shard for good and return its final signed tree head (the same one on every
   * call). The flag is set before signing, so no leaf can arrive between the two.
   */
  close(): Promise<RpcResult<SignedTreeHead>> {
    return captureAsync(async () => {
      const st = this.state()
      if (st.finalSth) return st.finalSth
      if (st.closed === false) {
        this.sql.exec('UPDATE shard_state SET closed_at = ? WHERE id = 1', Date.now())
      }
      const sth = await this.sign()
      const again = this.state()
      if (again.finalSth) return again.finalSth
      this.sql.exec('UPDATE shard_state SET final_sth = ? WHERE id = 1', JSON.stringify(sth))
      return sth
    })
  }

  shardState(): RpcResult<ShardState> {
    return capture(() => ({
      ...this.state(),
      treeSize: this.size(),
      bytes: this.ctx.storage.sql.databaseSize,
    }))
  }

  /** The root log now lists this shard (worker/sync/append-to-log.ts asks once per shard). */
  markRegistered(): RpcResult<boolean> {
    return capture(() => {
      this.sql.exec('UPDATE shard_state SET registered = 1 WHERE id = 1')
      return true
    })
  }

  /** Root log only: remember shards (idempotent). */
  registerShards(ids: string[]): RpcResult<number> {
    return capture(() => {
      const now = Date.now()
      for (const id of ids) {
        if (!isShardId(id)) throw new AegisError('ERR_INPUT_MALFORMED', `no such shard '${id}'`)
        this.sql.exec(
          'INSERT OR IGNORE INTO shards (id, root_key, registered_at) VALUES (?, ?, ?)',
          id,
          rootKey(id),
          now,
        )
      }
      return ids.length
    })
  }

  /**
   * Root log only: every shard registered, oldest period first ('main' sorts after digits), and
   * its leaf index here once closed (its final head is then that leaf).
   */
  listShards(): RpcResult<ShardEntry[]> {
    return capture(() =>
      this.sql
        .exec<{ id: string; idx: number | null }>(
          `SELECT s.id, l.idx FROM shards s LEFT JOIN leaves l ON l.batch_id = s.root_key
           ORDER BY s.id`,
        )
        .toArray()
        .map((r) => ({ id: r.id, rootIndex: r.idx })),
    )
  }

  /**
   * What a provenance record needs from this shard: the inclusion of the batch in the signed
   * tree head (the final one once the shard is closed) and whether it is closed.
   */
  provenanceProof(batchId: string): Promise<RpcResult<ProvenanceProof>> {
    return captureAsync(async () => {
      this.findLeaf(batchId)
      const st = this.state()
      const sth = st.finalSth ?? (st.closed ? await this.closedHead() : await this.latestSigned())
      return { closed: st.closed, sth, inclusion: this.doInclusionProof(batchId, sth.treeSize) }
    })
  }

  private async latestSigned(): Promise<SignedTreeHead> {
    const cached = this.loadSth()
    if (cached && cached.treeSize === this.size()) return cached
    return this.sign()
  }

  /** Closed but not yet finalised (a close was interrupted): finish it. */
  private async closedHead(): Promise<SignedTreeHead> {
    return unwrap(await this.close())
  }

  private state(): { closed: boolean; registered: boolean; finalSth: SignedTreeHead | null } {
    const row = this.sql
      .exec<{ closed_at: number | null; final_sth: string | null; registered: number }>(
        'SELECT closed_at, final_sth, registered FROM shard_state WHERE id = 1',
      )
      .one()
    return {
      closed: row.closed_at !== null,
      registered: row.registered === 1,
      finalSth: row.final_sth === null ? null : (JSON.parse(row.final_sth) as SignedTreeHead),
    }
  }

  private head(treeSize: number, timestamp: number): TreeHead {
    const h = { treeSize, rootHash: toHex(this.range(0, treeSize)), timestamp }
    return this.label === undefined ? h : { ...h, log: this.label }
  }

  // ---- proofs ---------------------------------------------------------------------------------

  /**
   * Inclusion of a batch (by batchId) or a leaf (by index) in the tree of `treeSize` leaves,
   * by default the whole log. Unknown batch or index: ERR_NOT_FOUND; a tree size beyond the log,
   * or one that ends before the leaf: ERR_INPUT_MALFORMED.
   */
  inclusionProof(
    batchIdOrIndex: string | number,
    treeSize?: number,
  ): RpcResult<InclusionProofResult> {
    return capture(() => this.doInclusionProof(batchIdOrIndex, treeSize))
  }

  private doInclusionProof(key: string | number, treeSize?: number): InclusionProofResult {
    const leaf = this.findLeaf(key)
    const size = this.size()
    const t = treeSize ?? size
    if (!isSize(t) || t > size) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'treeSize must be a tree size the log has had', {
        detail: { treeSize: t, logSize: size },
      })
    }
    if (leaf.idx >= t) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'the batch was logged after that tree size', {
        detail: { index: leaf.idx, treeSize: t },
      })
    }
    const range = this.range
    return {
      batchId: leaf.batch_id,
      bundleSha256: leaf.bundle_sha256,
      index: leaf.idx,
      treeSize: t,
      leafHash: toHex(new Uint8Array(leaf.leaf_hash)),
      rootHash: toHex(range(0, t)),
      path: inclusionPathWith(leaf.idx, t, range).map(toHex),
    }
  }

  /** Proof that the tree of `first` leaves is a prefix of the tree of `second` leaves. */
  consistencyProof(first: number, second: number): RpcResult<ConsistencyProofResult> {
    return capture(() => this.doConsistencyProof(first, second))
  }

  private doConsistencyProof(first: number, second: number): ConsistencyProofResult {
    const size = this.size()
    if (!isSize(first) || !isSize(second) || first > second || second > size) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'need 0 <= first <= second <= the log size', {
        detail: { first, second, logSize: size },
      })
    }
    const range = this.range
    return {
      first,
      second,
      firstRoot: toHex(range(0, first)),
      secondRoot: toHex(range(0, second)),
      path: consistencyPathWith(first, second, range).map(toHex),
    }
  }

  // ---- storage --------------------------------------------------------------------------------

  private size(): number {
    return this.sql.exec<{ n: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM leaves').one().n
  }

  private readonly range: RangeHash = (start, end) =>
    subtreeRoot(start, end, (level, index) => this.node(level, index))

  private node(level: number, index: number): Uint8Array {
    const row =
      level === 0
        ? this.sql.exec<{ h: ArrayBuffer }>(
            'SELECT leaf_hash AS h FROM leaves WHERE idx = ?',
            index,
          )
        : this.sql.exec<{ h: ArrayBuffer }>(
            'SELECT hash AS h FROM nodes WHERE level = ? AND idx = ?',
            level,
            index,
          )
    const found = row.toArray()[0]
    // Every complete subtree is written with its last leaf, so a gap means damaged storage.
    if (!found) throw new AegisError('ERR_INTERNAL', `log node (${level}, ${index}) is missing`)
    return new Uint8Array(found.h)
  }

  /** Roots of the complete subtrees that make up the first `size` leaves, largest first. */
  private frontier(size: number): Uint8Array[] {
    const out: Uint8Array[] = []
    let start = 0
    while (start < size) {
      const p = powerOfTwoAtMost(size - start)
      out.push(this.node(log2Exact(p), start / p))
      start += p
    }
    return out
  }

  private leafByBatch(batchId: string): LeafRow | undefined {
    return this.sql
      .exec<LeafRow>(
        'SELECT idx, leaf_hash, batch_id, bundle_sha256 FROM leaves WHERE batch_id = ?',
        batchId,
      )
      .toArray()[0]
  }

  /** The entries among `batchIds` already logged here: batchId -> index and bundle hash. */
  private leavesByBatch(batchIds: string[]): Map<string, { idx: number; bundleSha256: string }> {
    const out = new Map<string, { idx: number; bundleSha256: string }>()
    const rows = this.sql.exec<{ idx: number; batch_id: string; bundle_sha256: string }>(
      `SELECT idx, batch_id, bundle_sha256 FROM leaves
        WHERE batch_id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(batchIds),
    )
    for (const r of rows) out.set(r.batch_id, { idx: r.idx, bundleSha256: r.bundle_sha256 })
    return out
  }

  private findLeaf(key: string | number): LeafRow {
    let row: LeafRow | undefined
    if (typeof key === 'string' && HEX32.test(key)) {
      row = this.leafByBatch(key)
    } else if (isSize(key)) {
      row = this.sql
        .exec<LeafRow>(
          'SELECT idx, leaf_hash, batch_id, bundle_sha256 FROM leaves WHERE idx = ?',
          key,
        )
        .toArray()[0]
    } else {
      throw new AegisError('ERR_INPUT_MALFORMED', 'a batchId (64 hex) or a leaf index is required')
    }
    if (!row) throw new AegisError('ERR_NOT_FOUND', 'no such batch in the log')
    return row
  }
}

/**
 * The rows an append adds, hashes in hex for the JSON that binds them: leaves as
 * [idx, leafHash, batchId, bundleSha256], nodes as [level, idx, hash].
 */
interface NewRows {
  leaves: [number, string, string, string][]
  nodes: [number, number, string][]
}

/**
 * `frontier` holds the roots of the complete subtrees that make up the tree before this leaf,
 * largest first; the new leaf completes one subtree per trailing 1 bit of its index.
 */
function appendLeaf(index: number, e: AppendEntry, frontier: Uint8Array[], rows: NewRows): void {
  let h = leafHash(fromHex(e.bundleSha256))
  rows.leaves.push([index, toHex(h), e.batchId, e.bundleSha256])
  let level = 0
  let i = index
  while (i % 2 === 1) {
    h = nodeHash(frontier.pop()!, h)
    i = (i - 1) / 2
    level++
    rows.nodes.push([level, i, toHex(h)])
  }
  frontier.push(h)
}

function checkEntries(entries: unknown): AppendEntry[] {
  if (!Array.isArray(entries)) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'append takes a list of entries')
  }
  if (entries.length > MAX_APPEND) {
    throw new AegisError('ERR_INPUT_TOO_LARGE', `at most ${MAX_APPEND} entries per append`)
  }
  return entries.map((e: unknown, i) => {
    const { batchId, bundleSha256 } = (e ?? {}) as Partial<AppendEntry>
    if (typeof batchId !== 'string' || !HEX32.test(batchId)) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'batchId must be 64 lowercase hex', {
        detail: { entry: i },
      })
    }
    if (typeof bundleSha256 !== 'string' || !HEX32.test(bundleSha256)) {
      throw new AegisError('ERR_INPUT_MALFORMED', 'bundleSha256 must be 64 lowercase hex', {
        detail: { entry: i },
      })
    }
    return { batchId, bundleSha256 }
  })
}
