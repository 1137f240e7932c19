/**
 * A D1Database wrapper that records every statement the code under test runs, with the rows D1
 * read for it (`meta.rows_read`, what D1 bills for reads), so a test can bound what a route's
 * queries read and check their query plans. Statements keep working as the real ones do.
 */
export interface RanStatement {
  sql: string
  params: unknown[]
  rowsRead: number
}

export function countingDb(db: D1Database): { db: D1Database; ran: RanStatement[] } {
  const ran: RanStatement[] = []
  const real = new WeakMap<object, { stmt: D1PreparedStatement; sql: string; params: unknown[] }>()
  const wrap = (stmt: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const record = (meta: { rows_read?: number } | undefined) =>
      ran.push({ sql, params, rowsRead: meta?.rows_read ?? 0 })
    const w = {
      bind: (...p: unknown[]) => wrap(stmt.bind(...p), sql, p),
      all: async () => {
        const r = await stmt.all()
        record(r.meta)
        return r
      },
      run: async () => {
        const r = await stmt.run()
        record(r.meta)
        return r
      },
      first: async (col?: string) => {
        const r = await stmt.all<Record<string, unknown>>()
        record(r.meta)
        const row = r.results[0] ?? null
        return col === undefined || row === null ? row : row[col]
      },
      raw: () => {
        throw new Error('countingDb: raw() is not recorded')
      },
    } as unknown as D1PreparedStatement
    real.set(w, { stmt, sql, params })
    return w
  }
  const counting = {
    prepare: (sql: string) => wrap(db.prepare(sql), sql, []),
    batch: async (stmts: D1PreparedStatement[]) => {
      const inner = stmts.map((s) => real.get(s) ?? { stmt: s, sql: '(unwrapped)', params: [] })
      const res = await db.batch(inner.map((i) => i.stmt))
      res.forEach((r, i) =>
        ran.push({ sql: inner[i]!.sql, params: inner[i]!.params, rowsRead: r.meta.rows_read ?? 0 }),
      )
      return res
    },
    exec: (q: string) => db.exec(q),
    withSession: () => {
      throw new Error('countingDb: sessions are not recorded')
    },
    dump: () => db.dump(),
  } as unknown as D1Database
  return { db: counting, ran }
}
