/**
 * Step 5 of a move (move-agent.ts): the agent's bundles that D1 places in another jurisdiction's
 * bucket are copied into one new pack in `to`'s bucket (same NDJSON pack format and key scheme as
 * worker/sync/pack-bundles.ts), each checked against its logged SHA-256 on the way, then its D1
 * row is pointed at the copy (and its location coarsened to a grid cell when `to` is restricted).
 * An old pack is deleted; one that also holds other agents' bundles is first rewritten without
 * the moved ones (`packsRewritten`). At most MOVE_CHUNK bundles per call: `remaining` says to
 * repeat the move.
 */
import { toHex } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { PACK_PREFIX } from '../sync/pack-bundles.ts'
import { evidenceBucket, gridDeg } from './bindings.ts'
import { coarsen } from '../../attest/geofence/coarsen.ts'
import type { Jurisdiction } from './jurisdiction.ts'
import {
  bundlesInPack,
  bundlesOutside,
  repointBundle,
  type MovableBundle,
} from '../store/batches.ts'

const MOVE_CHUNK = 200
const PACK_OPTIONS = (n: number): R2PutOptions => ({
  httpMetadata: { contentType: 'application/x-ndjson' },
  customMetadata: { bundles: String(n), format: 'aegis-evidence-pack/1' },
})

export interface EvidenceMoved {
  bundles: number
  packsDeleted: number
  /** Old packs that also held other agents' bundles, rewritten without the moved ones. */
  packsRewritten: number
  remaining: boolean
}

type Row = MovableBundle

export async function moveEvidence(
  env: Env,
  agentId: string,
  to: Jurisdiction | null,
): Promise<EvidenceMoved> {
  const rows = await bundlesOutside(env.DB, agentId, to, MOVE_CHUNK + 1)
  const chunk = rows.slice(0, MOVE_CHUNK)
  if (!chunk.length) return { bundles: 0, packsDeleted: 0, packsRewritten: 0, remaining: false }
  const bundles = await Promise.all(chunk.map((r) => readBundle(env, r)))
  const { key, bytes, offsets } = await pack(bundles)
  await evidenceBucket(env, to).bucket.put(key, bytes, PACK_OPTIONS(chunk.length))
  await env.DB.batch(chunk.map((r, i) => repoint(env, r, key, offsets[i]!, to)))
  const { deleted, rewritten } = await clearOldPacks(env, chunk)
  return {
    bundles: chunk.length,
    packsDeleted: deleted,
    packsRewritten: rewritten,
    remaining: rows.length > MOVE_CHUNK,
  }
}

async function readBundle(env: Env, r: Row): Promise<Uint8Array> {
  const range =
    r.bundle_offset === null ? undefined : { offset: r.bundle_offset, length: r.bundle_length ?? 0 }
  const obj = await evidenceBucket(env, r.jurisdiction).bucket.get(r.evidence_key, { range })
  if (!obj) throw new AegisError('ERR_INTERNAL', `bundle of ${r.batch_id} missing from storage`)
  const bytes = new Uint8Array(await obj.arrayBuffer())
  if ((await sha256Hex(bytes)) !== r.bundle_sha256)
    throw new AegisError('ERR_INTERNAL', `bundle of ${r.batch_id} does not match its hash`)
  return bytes
}

async function sha256Hex(b: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', b)))
}

async function pack(bundles: Uint8Array[]) {
  const bytes = new Uint8Array(bundles.reduce((n, b) => n + b.length + 1, 0))
  const offsets: { offset: number; length: number }[] = []
  let at = 0
  for (const b of bundles) {
    bytes.set(b, at)
    offsets.push({ offset: at, length: b.length })
    at += b.length
    bytes[at++] = 0x0a
  }
  const day = new Date().toISOString().slice(0, 10)
  return { key: `${PACK_PREFIX}day=${day}/${await sha256Hex(bytes)}.ndjson`, bytes, offsets }
}

function repoint(
  env: Env,
  r: Row,
  key: string,
  at: { offset: number; length: number },
  to: Jurisdiction | null,
): D1PreparedStatement {
  // Into a jurisdiction: the exact fix must not stay central. Out of one: the row keeps the cell.
  const loc = to ? coarsen(r.lat, r.lon, gridDeg(env)) : null
  return repointBundle(env.DB, r.batch_id, { key, ...at, jurisdiction: to }, loc)
}

/**
 * The old packs the moved bundles came from: deleted when nothing else refers to them, else
 * rewritten without the moved bundles (the other agents' bundles, byte for byte, into a new pack
 * in the same bucket, their rows repointed), so no copy of the moved agent's evidence stays behind.
 */
async function clearOldPacks(
  env: Env,
  moved: Row[],
): Promise<{ deleted: number; rewritten: number }> {
  const packs = new Map(moved.map((r) => [`${r.jurisdiction}|${r.evidence_key}`, r]))
  let rewritten = 0
  for (const r of packs.values()) {
    const others = await bundlesInPack(env.DB, r.evidence_key, r.jurisdiction)
    const { bucket } = evidenceBucket(env, r.jurisdiction)
    if (others.length) {
      const obj = await bucket.get(r.evidence_key)
      if (!obj) throw new AegisError('ERR_INTERNAL', `pack ${r.evidence_key} missing from storage`)
      const whole = new Uint8Array(await obj.arrayBuffer())
      const kept = others.map((o) =>
        whole.subarray(
          o.bundle_offset ?? 0,
          (o.bundle_offset ?? 0) + (o.bundle_length ?? whole.length),
        ),
      )
      const next = await pack(kept)
      await bucket.put(next.key, next.bytes, PACK_OPTIONS(kept.length))
      await env.DB.batch(
        others.map((o, i) =>
          repointBundle(env.DB, o.batch_id, { key: next.key, ...next.offsets[i]! }),
        ),
      )
      rewritten++
    }
    await bucket.delete(r.evidence_key)
  }
  return { deleted: packs.size, rewritten }
}
