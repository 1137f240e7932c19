/**
 * D1 `boot_logs` (migrations/0004_boot_logs.sql): the last accepted and the last refused UEFI event
 * log per agent. Named queries and a row mapper; the boot judge and the operator route call them.
 */
import type { Finding } from '../../attest/eventlog/evaluate-policy.ts'

export interface BootLogRow {
  agentId: string
  kind: 'accepted' | 'refused'
  pcrKey: string
  log: Uint8Array
  events: number
  findings: Finding[]
  code: string | null
  decidedAt: number
  policyVersion: number
}

interface Raw {
  agent_id: string
  kind: 'accepted' | 'refused'
  pcr_key: string
  log: ArrayBuffer | number[]
  events: number
  findings: string
  code: string | null
  decided_at: number
  policy_version: number
}

const COLUMNS = 'agent_id, kind, pcr_key, log, events, findings, code, decided_at, policy_version'

function toRow(r: Raw): BootLogRow {
  return {
    agentId: r.agent_id,
    kind: r.kind,
    pcrKey: r.pcr_key,
    log: new Uint8Array(r.log instanceof ArrayBuffer ? r.log : Uint8Array.from(r.log)),
    events: r.events,
    findings: JSON.parse(r.findings) as Finding[],
    code: r.code,
    decidedAt: r.decided_at,
    policyVersion: r.policy_version,
  }
}

/** The agent's last accepted boot, or null. */
export async function acceptedBoot(db: D1Database, agentId: string): Promise<BootLogRow | null> {
  const r = await db
    .prepare(`SELECT ${COLUMNS} FROM boot_logs WHERE agent_id = ? AND kind = 'accepted'`)
    .bind(agentId)
    .first<Raw>()
  return r ? toRow(r) : null
}

export async function bootLogs(db: D1Database, agentId: string): Promise<BootLogRow[]> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM boot_logs WHERE agent_id = ? ORDER BY kind`)
    .bind(agentId)
    .all<Raw>()
  return results.map(toRow)
}

export async function putBootLog(db: D1Database, row: BootLogRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO boot_logs (${COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent_id, kind) DO UPDATE SET pcr_key = excluded.pcr_key, log = excluded.log,
         events = excluded.events, findings = excluded.findings, code = excluded.code,
         decided_at = excluded.decided_at, policy_version = excluded.policy_version`,
    )
    .bind(
      row.agentId,
      row.kind,
      row.pcrKey,
      row.log,
      row.events,
      JSON.stringify(row.findings),
      row.code,
      row.decidedAt,
      row.policyVersion,
    )
    .run()
}
