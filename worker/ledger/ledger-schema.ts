/**
 * The AgentLedger's SQLite tables, and the one migration they have had. The keyed tables
 * (spent_nonces, accepted, outbox) are WITHOUT ROWID: a row is stored once, in its primary key's
 * b-tree, instead of once in a rowid table and again in the key's automatic index, and
 * `accepted` has no index on seq any more (its prune, at most every 10 s, scans). Durable Object
 * storage bills every row written, index entries included: an admission wrote 8 rows and now
 * writes 4 (test/worker/ledger/rows-written.test.ts; docs/scale.md prices it).
 * Ledgers created before this change are rebuilt in place on their first start, in one
 * transaction (rows copied, old tables dropped).
 */

const TABLES: Record<string, string> = {
  agent: '(id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)',
  used_challenges: '(enrollment_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  spent_nonces: '(nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID',
  replay: '(id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)',
  accepted:
    '(batch_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, receipt TEXT NOT NULL, accepted_at INTEGER NOT NULL) WITHOUT ROWID',
  outbox:
    '(batch_id TEXT PRIMARY KEY, record TEXT NOT NULL, created_at INTEGER NOT NULL, notified_at INTEGER NOT NULL) WITHOUT ROWID',
}

/** Tables that were rowid tables before, with their columns (copied by name). */
const REKEYED: Record<string, string> = {
  spent_nonces: 'nonce, expires_at',
  accepted: 'batch_id, seq, receipt, accepted_at',
  outbox: 'batch_id, record, created_at, notified_at',
}

/**
 * Create what is missing and rebuild any keyed table still in the old rowid form. Run inside a
 * transaction (the constructor's transactionSync), so a failed rebuild leaves the old tables.
 */
export function ensureLedgerSchema(sql: SqlStorage): void {
  for (const [name, columns] of Object.entries(REKEYED)) {
    const row = sql
      .exec<{ sql: string }>(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
        name,
      )
      .toArray()[0]
    if (!row || /WITHOUT\s+ROWID/i.test(row.sql)) continue
    sql.exec(`CREATE TABLE ${name}_rekeyed ${TABLES[name]}`)
    sql.exec(`INSERT INTO ${name}_rekeyed (${columns}) SELECT ${columns} FROM ${name}`)
    sql.exec(`DROP TABLE ${name}`)
    sql.exec(`ALTER TABLE ${name}_rekeyed RENAME TO ${name}`)
  }
  sql.exec('DROP INDEX IF EXISTS accepted_seq')
  for (const [name, def] of Object.entries(TABLES))
    sql.exec(`CREATE TABLE IF NOT EXISTS ${name} ${def}`)
}

/** The tables as they were before (for the migration's test). */
export const LEGACY_LEDGER_SCHEMA = `
  CREATE TABLE IF NOT EXISTS spent_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS accepted (
    batch_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, receipt TEXT NOT NULL, accepted_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS accepted_seq ON accepted(seq);
  CREATE TABLE IF NOT EXISTS outbox (
    batch_id TEXT PRIMARY KEY, record TEXT NOT NULL, created_at INTEGER NOT NULL, notified_at INTEGER NOT NULL);
`
