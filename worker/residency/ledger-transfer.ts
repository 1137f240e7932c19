/**
 * Moving an agent's ledger between jurisdictions (move-agent.ts), on the ledger's side: the rows
 * of every table are copied as they are, so the moved ledger is the same ledger (record, replay
 * state with the last spent nonce, accepted ids, outbox) in another namespace. The old ledger is first frozen
 * (the record gets `movingTo`), so no batch is admitted there between the copy and the switch;
 * after the switch it is emptied and keeps only a tombstone naming the new jurisdiction, no
 * personal data. Frozen or moved, it refuses admission with ERR_RESIDENCY_MOVING (503, retried by
 * the agent), until every isolate's directory cache has expired.
 */
import { AegisError } from '../../attest/errors.ts'
import type { AgentRecord } from '../ledger/types.ts'
import type { Jurisdiction } from './jurisdiction.ts'

/** The AgentLedger tables, in the order they are restored. */
const TABLES = ['agent', 'used_challenges', 'replay', 'accepted', 'outbox']

export type LedgerRows = Record<string, Record<string, SqlStorageValue>[]>

export interface MovingRecord extends AgentRecord {
  /** Set while the ledger is being copied to this jurisdiction ('none': unrestricted). */
  movingTo?: Jurisdiction | 'none'
}

export function exportRows(sql: SqlStorage): LedgerRows {
  const out: LedgerRows = {}
  for (const t of TABLES) out[t] = sql.exec(`SELECT * FROM ${t}`).toArray()
  return out
}

/** Restore exported rows over whatever this (new) ledger holds, thawing the record. */
export function importRows(sql: SqlStorage, rows: LedgerRows, from: Jurisdiction | 'none'): void {
  for (const t of TABLES) {
    sql.exec(`DELETE FROM ${t}`)
    for (const r of rows[t] ?? []) {
      const cols = Object.keys(r)
      const values = cols.map((c) => r[c]!)
      if (t === 'agent') {
        const rec = JSON.parse(String(r.record)) as MovingRecord
        delete rec.movingTo
        values[cols.indexOf('record')] = JSON.stringify(rec)
      }
      sql.exec(
        `INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        ...values,
      )
    }
  }
  sql.exec('DROP TABLE IF EXISTS moved')
  // Until the old ledger is emptied (moveCleared), remember where the rows came from, so a move
  // that failed after the directory switch is finished by repeating it (move-agent.ts).
  sql.exec(
    'CREATE TABLE IF NOT EXISTS move_origin (id INTEGER PRIMARY KEY CHECK (id = 1), src TEXT)',
  )
  sql.exec('INSERT OR REPLACE INTO move_origin (id, src) VALUES (1, ?)', from)
}

/** Where this ledger's rows were moved from, while the old ledger may still hold them. */
export function moveOrigin(sql: SqlStorage): Jurisdiction | 'none' | null {
  const t = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'move_origin'")
  if (!t.toArray().length) return null
  const rows = sql.exec<{ src: string }>('SELECT src FROM move_origin').toArray()
  return (rows[0]?.src as Jurisdiction | 'none' | undefined) ?? null
}

/** The old ledger is empty: forget the origin. */
export function forgetMoveOrigin(sql: SqlStorage): void {
  sql.exec('DROP TABLE IF EXISTS move_origin')
}

/** Empty the old ledger, leaving a tombstone with the jurisdiction it moved to. */
export function clearRows(sql: SqlStorage, to: Jurisdiction | 'none'): void {
  for (const t of TABLES) sql.exec(`DELETE FROM ${t}`)
  sql.exec('CREATE TABLE IF NOT EXISTS moved (id INTEGER PRIMARY KEY CHECK (id = 1), dest TEXT)')
  sql.exec('INSERT OR REPLACE INTO moved (id, dest) VALUES (1, ?)', to)
}

/** Admission hook: refuse while frozen for a move, or after it moved away. */
export function refuseIfMoving(sql: SqlStorage, rec: AgentRecord | null): void {
  let to = (rec as MovingRecord | null)?.movingTo
  if (!rec) {
    const t = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'moved'")
    if (t.toArray().length)
      to = sql.exec<{ dest: string }>('SELECT dest FROM moved').one().dest as Jurisdiction
  }
  if (to === undefined) return
  throw new AegisError('ERR_RESIDENCY_MOVING', `the agent's state is moving to ${to}; retry`, {
    detail: { to, transient: true },
  })
}
