/** D1 `dead_letters` (migrations/0002_batches.sql): poison sync messages and why. */

export function insertDeadLetter(
  db: D1Database,
  d: { at: number; messageId: string; reason: string; body: string },
): D1PreparedStatement {
  return db
    .prepare('INSERT INTO dead_letters (at, message_id, reason, body) VALUES (?, ?, ?, ?)')
    .bind(d.at, d.messageId, d.reason, d.body)
}

/** One row {n}, for GET /metrics. */
export function countDeadLetters(db: D1Database): D1PreparedStatement {
  return db.prepare('SELECT COUNT(*) AS n FROM dead_letters')
}
