/**
 * D1 `agents` (migrations/0001_init.sql): the queryable mirror of each AgentLedger's record. The
 * ledger is its one writer (upsertAgent, before the Durable Object commits, so D1 never lags
 * behind); routes read it through the same row type. Columns are named, never `SELECT *`.
 */
import type { AgentRecord } from '../ledger/types.ts'
import type { Jurisdiction } from '../residency/jurisdiction.ts'

/** The mirrored part of an AgentRecord (the DO keeps the rest: EK certificate chain, binding). */
export type AgentRow = Pick<
  AgentRecord,
  | 'agentId'
  | 'status'
  | 'ekPublic'
  | 'ekCertSha256'
  | 'ekCertSerial'
  | 'ekCertIssuer'
  | 'akPublic'
  | 'akName'
  | 'platform'
  | 'sensor'
  | 'zones'
  | 'pcrBaseline'
  | 'enrolledAt'
  | 'revokedAt'
  | 'revokedReason'
>

interface Raw {
  agent_id: string
  status: 'active' | 'revoked'
  ek_public: string
  ek_cert_sha256: string | null
  ek_cert_serial: string | null
  ek_cert_issuer: string | null
  ak_public: string
  ak_name: string
  platform: string
  sensor_id: string
  sensor_firmware: string
  zones: string
  pcr_baseline: string
  enrolled_at: number
  revoked_at: number | null
  revoked_reason: string | null
}

const COLUMNS = `agent_id, status, ek_public, ek_cert_sha256, ek_cert_serial, ek_cert_issuer, ak_public,
  ak_name, platform, sensor_id, sensor_firmware, zones, pcr_baseline, enrolled_at, revoked_at,
  revoked_reason`

function toRow(r: Raw): AgentRow {
  return {
    agentId: r.agent_id,
    status: r.status,
    ekPublic: r.ek_public,
    ekCertSha256: r.ek_cert_sha256,
    ekCertSerial: r.ek_cert_serial,
    ekCertIssuer: r.ek_cert_issuer,
    akPublic: r.ak_public,
    akName: r.ak_name,
    platform: JSON.parse(r.platform) as Record<string, unknown>,
    sensor: { id: r.sensor_id, firmware: r.sensor_firmware },
    zones: JSON.parse(r.zones) as string[],
    pcrBaseline: JSON.parse(r.pcr_baseline) as AgentRow['pcrBaseline'],
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
  }
}

/** Insert or update the agent's row (ek_public never changes for an agentId). */
export async function upsertAgent(db: D1Database, r: AgentRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO agents (${COLUMNS})
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
       ON CONFLICT(agent_id) DO UPDATE SET status = ?2, ek_cert_sha256 = ?4, ek_cert_serial = ?5,
         ek_cert_issuer = ?6, ak_public = ?7, ak_name = ?8, platform = ?9, sensor_id = ?10,
         sensor_firmware = ?11, zones = ?12, pcr_baseline = ?13, enrolled_at = ?14, revoked_at = ?15,
         revoked_reason = ?16`,
    )
    .bind(
      r.agentId,
      r.status,
      r.ekPublic,
      r.ekCertSha256,
      r.ekCertSerial,
      r.ekCertIssuer,
      r.akPublic,
      r.akName,
      JSON.stringify(r.platform),
      r.sensor.id,
      r.sensor.firmware,
      JSON.stringify(r.zones),
      JSON.stringify(r.pcrBaseline),
      r.enrolledAt,
      r.revokedAt,
      r.revokedReason,
    )
    .run()
}

export async function getAgent(db: D1Database, agentId: string): Promise<AgentRow | null> {
  const r = await db
    .prepare(`SELECT ${COLUMNS} FROM agents WHERE agent_id = ?`)
    .bind(agentId)
    .first<Raw>()
  return r ? toRow(r) : null
}

/**
 * One page of agents by agentId, after `after`, optionally of one status, each with its
 * jurisdiction from the residency directory (agent_residency; null: unrestricted).
 */
export async function listAgents(
  db: D1Database,
  q: { status: 'active' | 'revoked' | null; after: string; limit: number },
): Promise<(AgentRow & { jurisdiction: Jurisdiction | null })[]> {
  const cols = COLUMNS.split(',')
    .map((c) => `a.${c.trim()}`)
    .join(', ')
  const { results } = await db
    .prepare(
      `SELECT ${cols}, r.jurisdiction FROM agents a LEFT JOIN agent_residency r USING (agent_id)
       WHERE (?1 IS NULL OR a.status = ?1) AND a.agent_id > ?2 ORDER BY a.agent_id LIMIT ?3`,
    )
    .bind(q.status, q.after, q.limit)
    .all<Raw & { jurisdiction: Jurisdiction | null }>()
  return results.map((r) => ({ ...toRow(r), jurisdiction: r.jurisdiction }))
}

/**
 * Whether an agentId names an enrolled agent. Anonymous routes ask this before touching an
 * AgentLedger: a Durable Object for an unknown agentId would persist a SQLite database per
 * request. One indexed read, no write.
 */
export async function agentStatus(
  db: D1Database,
  agentId: string,
): Promise<'active' | 'revoked' | null> {
  const row = await db
    .prepare('SELECT status FROM agents WHERE agent_id = ?')
    .bind(agentId)
    .first<{ status: 'active' | 'revoked' }>()
  return row?.status ?? null
}

/** Agents by status, for GET /metrics (run inside the caller's D1 batch). */
export function countAgentsByStatus(db: D1Database): D1PreparedStatement {
  return db.prepare('SELECT status, COUNT(*) AS n FROM agents GROUP BY status')
}

/** The columns both fleet listings share. */
function listed(r: {
  agent_id: string
  status: 'active' | 'revoked'
  zones: string
  sensor_id: string
  batches: number
}) {
  return {
    agentId: r.agent_id,
    status: r.status,
    zones: JSON.parse(r.zones) as string[],
    sensorId: r.sensor_id,
    batches: r.batches,
  }
}

/** An agent with its latest batch (by seq) and latest rejection, for GET /v1/fleet. */
export interface FleetRow {
  agentId: string
  status: 'active' | 'revoked'
  zones: string[]
  sensorId: string
  enrolledAt: number
  batches: number
  lastBatch: {
    batchId: string
    seq: number
    acceptedAt: number
    zone: string | null
    lat: number
    lon: number
    accuracyM: number
  } | null
  /** `code|at|detail` of the latest rejection (dashboard/fleet.ts splits it). */
  lastReject: string | null
  /** where its data lives (agent_residency, docs/sovereignty.md); null: unrestricted */
  jurisdiction: string | null
}

interface FleetRaw {
  agent_id: string
  status: 'active' | 'revoked'
  zones: string
  sensor_id: string
  enrolled_at: number
  batches: number
  batch_id: string | null
  seq: number | null
  accepted_at: number | null
  zone: string | null
  lat: number | null
  lon: number | null
  accuracy_m: number | null
  last_reject: string | null
  jurisdiction: string | null
}

export async function fleetRows(db: D1Database, limit: number): Promise<FleetRow[]> {
  // Every per-agent figure is an index lookup (docs/scale.md "Reads that do not grow with the
  // history"): the latest batch by seq (seq rises per agent, (agent_id, seq) is indexed), the
  // count kept in agent_totals, the latest rejection in the rejections-only index.
  const { results } = await db
    .prepare(
      `SELECT a.agent_id, a.status, a.zones, a.sensor_id, a.enrolled_at, r.jurisdiction,
            COALESCE(t.batches, 0) AS batches,
            b.batch_id, b.seq, b.accepted_at, b.zone, b.lat, b.lon, b.accuracy_m,
            (SELECT d.code || '|' || d.at || '|' || COALESCE(d.detail, '') FROM decisions d
               WHERE d.agent_id = a.agent_id AND d.verdict = 'reject' ORDER BY d.at DESC, d.id DESC LIMIT 1) AS last_reject
       FROM agents a
       LEFT JOIN agent_residency r ON r.agent_id = a.agent_id
       LEFT JOIN agent_totals t ON t.agent_id = a.agent_id
       LEFT JOIN batches b ON b.batch_id =
            (SELECT y.batch_id FROM batches y WHERE y.agent_id = a.agent_id ORDER BY y.seq DESC LIMIT 1)
      ORDER BY a.agent_id LIMIT ?1`,
    )
    .bind(limit)
    .all<FleetRaw>()
  return results.map((r) => ({
    ...listed(r),
    enrolledAt: r.enrolled_at,
    lastBatch:
      r.batch_id === null
        ? null
        : {
            batchId: r.batch_id,
            seq: r.seq!,
            acceptedAt: r.accepted_at!,
            zone: r.zone,
            lat: r.lat!,
            lon: r.lon!,
            accuracyM: r.accuracy_m!,
          },
    lastReject: r.last_reject,
    jurisdiction: r.jurisdiction,
  }))
}

/** An agent with its last accepted time, batch count and latest rejection (`code|at`). */
export interface AgentSummaryRow {
  agentId: string
  status: 'active' | 'revoked'
  zones: string[]
  sensorId: string
  lastAccepted: number | null
  batches: number
  lastReject: string | null
  /** agent_residency's jurisdiction; null: unrestricted */
  jurisdiction: string | null
}

export async function agentSummaries(db: D1Database, limit: number): Promise<AgentSummaryRow[]> {
  const { results } = await db
    .prepare(
      `SELECT a.agent_id, a.status, a.zones, a.sensor_id, r.jurisdiction,
            (SELECT b.accepted_at FROM batches b WHERE b.agent_id = a.agent_id ORDER BY b.seq DESC LIMIT 1) AS last_accepted,
            COALESCE(t.batches, 0) AS batches,
            (SELECT d.code || '|' || d.at FROM decisions d
               WHERE d.agent_id = a.agent_id AND d.verdict = 'reject' ORDER BY d.at DESC LIMIT 1) AS last_reject
       FROM agents a LEFT JOIN agent_residency r ON r.agent_id = a.agent_id
       LEFT JOIN agent_totals t ON t.agent_id = a.agent_id
      ORDER BY a.agent_id LIMIT ?1`,
    )
    .bind(limit)
    .all<{
      agent_id: string
      status: 'active' | 'revoked'
      zones: string
      sensor_id: string
      last_accepted: number | null
      batches: number
      last_reject: string | null
      jurisdiction: string | null
    }>()
  return results.map((r) => ({
    ...listed(r),
    lastAccepted: r.last_accepted,
    lastReject: r.last_reject,
    jurisdiction: r.jurisdiction,
  }))
}
