/**
 * The AgentLedger's SQLite tables, and the migrations they have had. The keyed tables
 * (accepted, outbox) are WITHOUT ROWID: a row is stored once, in its primary key's
 * b-tree, instead of once in a rowid table and again in the key's automatic index. Durable Object
 * storage bills every row written, index entries included: an admission wrote 8 rows, then 4, and
 * now writes 3 (test/worker/ledger/rows-written.test.ts; docs/scale.md prices it): since nonces
 * are spent in issue order (stateless-nonce.ts), the replay state's order key replaced the
 * `spent_nonces` table (a row per admission, and another to prune it), which is dropped.
 * `accepted` is keyed by seq, not batch id: its prune deletes a key range and reads only what it
 * deletes (keyed by batch id without a seq index, every prune read all 10,000 remembered rows),
 * and a retry is found by its seq (the payload holds it), then compared by batch id.
 * Ledgers created before either change are rebuilt in place on their first start, in one
 * transaction (rows copied, old tables dropped).
 */

const TABLES: Record<string, string> = {
  agent: '(id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)',
  used_challenges: '(enrollment_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)',
  replay: '(id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL)',
  accepted:
    '(seq INTEGER PRIMARY KEY, batch_id TEXT NOT NULL, receipt TEXT NOT NULL, accepted_at INTEGER NOT NULL) WITHOUT ROWID',
  outbox:
    '(batch_id TEXT PRIMARY KEY, record TEXT NOT NULL, created_at INTEGER NOT NULL, notified_at INTEGER NOT NULL) WITHOUT ROWID',
}

/**
 * Tables whose key changed, with their columns (copied by name, in `order`), and how to tell the
 * current form: rowid tables before the first change; `accepted` keyed by batch_id before the
 * second, copied oldest first so that where a re-enrollment reused a seq the newest batch keeps it.
 */
const REKEYED: Record<string, { columns: string; current: RegExp; order?: string }> = {
  accepted: {
    columns: 'seq, batch_id, receipt, accepted_at',
    current: /\(\s*seq\s+INTEGER\s+PRIMARY\s+KEY[\s\S]*WITHOUT\s+ROWID/i,
    order: 'accepted_at',
  },
  outbox: { columns: 'batch_id, record, created_at, notified_at', current: /WITHOUT\s+ROWID/i },
}

/**
 * Create what is missing and rebuild any keyed table still in an old form. Run inside a
 * transaction (the constructor's transactionSync), so a failed rebuild leaves the old tables.
 */
export function ensureLedgerSchema(sql: SqlStorage): void {
  for (const [name, { columns, current, order }] of Object.entries(REKEYED)) {
    const row = sql
      .exec<{ sql: string }>(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
        name,
      )
      .toArray()[0]
    if (!row || current.test(row.sql)) continue
    sql.exec(`CREATE TABLE ${name}_rekeyed ${TABLES[name]}`)
    sql.exec(
      `INSERT OR REPLACE INTO ${name}_rekeyed (${columns}) SELECT ${columns} FROM ${name}` +
        (order ? ` ORDER BY ${order}` : ''),
    )
    sql.exec(`DROP TABLE ${name}`)
    sql.exec(`ALTER TABLE ${name}_rekeyed RENAME TO ${name}`)
  }
  sql.exec('DROP INDEX IF EXISTS accepted_seq')
  // Spent version-1 nonces: that format is refused now (stateless-nonce.ts), so they guard nothing.
  sql.exec('DROP TABLE IF EXISTS spent_nonces')
  for (const [name, def] of Object.entries(TABLES))
    sql.exec(`CREATE TABLE IF NOT EXISTS ${name} ${def}`)
}

/** `accepted` as it was between the two changes (for the migrations' test). */
export const BATCH_KEYED_ACCEPTED = `
  CREATE TABLE IF NOT EXISTS accepted (batch_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
    receipt TEXT NOT NULL, accepted_at INTEGER NOT NULL) WITHOUT ROWID;
`

/** The tables as they were before the first change (for the migrations' test). */
export const LEGACY_LEDGER_SCHEMA = `
  CREATE TABLE IF NOT EXISTS spent_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS accepted (
    batch_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, receipt TEXT NOT NULL, accepted_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS accepted_seq ON accepted(seq);
  CREATE TABLE IF NOT EXISTS outbox (
    batch_id TEXT PRIMARY KEY, record TEXT NOT NULL, created_at INTEGER NOT NULL, notified_at INTEGER NOT NULL);
`
