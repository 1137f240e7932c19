/**
 * Whether an agentId names an enrolled agent, read from the D1 `agents` mirror (written before
 * the ledger commits, so it never lags behind an activation). Anonymous routes ask this before
 * touching an AgentLedger: a Durable Object for an unknown agentId would persist a SQLite
 * database per request (issue 12). One indexed read, no write.
 */
export async function agentStatus(
  env: { DB: D1Database },
  agentId: string,
): Promise<'active' | 'revoked' | null> {
  const row = await env.DB.prepare('SELECT status FROM agents WHERE agent_id = ?')
    .bind(agentId)
    .first<{ status: 'active' | 'revoked' }>()
  return row?.status ?? null
}
