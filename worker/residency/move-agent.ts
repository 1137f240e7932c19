/**
 * Re-zoning an agent into another jurisdiction: an explicit operator action (PUT
 * /v1/agents/{id}/zones with "move": true) that moves its state, in this order:
 *   1. freeze the old ledger and copy its rows (ledger-transfer.ts): admission stops there;
 *   2. restore them in the new jurisdiction's ledger (outbox included: unsynced batches follow);
 *   3. switch the directory (agentId -> new jurisdiction); from now on every call lands there;
 *   4. empty the old ledger, leaving a tombstone;
 *   5. move the evidence (move-evidence.ts): bundles re-packed into the new bucket, D1 rows
 *      pointed at them and coarsened, old packs deleted once nothing references them.
 * Every step is idempotent, so a move that failed half-way is finished by repeating it; repeating
 * it when nothing is left to move changes nothing. Batches admitted before step 1 are in the outbox
 * that moves; batches sent during the move are refused with ERR_RESIDENCY_MOVING and resent by
 * the agent: none is lost.
 */
import { AegisError } from '../../attest/errors.ts'
import { residencyOf, setResidency } from './directory.ts'
import type { Jurisdiction } from './jurisdiction.ts'
import { moveEvidence, type EvidenceMoved } from './move-evidence.ts'
import { ledgerIn } from './routed-ledger.ts'

export interface MoveResult {
  from: Jurisdiction | null
  to: Jurisdiction | null
  ledgerMoved: boolean
  evidence: EvidenceMoved
}

export async function moveAgent(
  env: Env,
  agentId: string,
  to: Jurisdiction | null,
): Promise<MoveResult> {
  const from = await residencyOf(env, agentId, true)
  let ledgerMoved = false
  const here = ledgerIn(env, agentId, to)
  if (from !== to) {
    const old = ledgerIn(env, agentId, from)
    const rows = await old.freezeForMove(to ?? 'none')
    if (!rows) throw new AegisError('ERR_AGENT_UNKNOWN', 'no such agent')
    await here.importMoved(rows, from ?? 'none')
    await setResidency(env, agentId, to)
    await old.clearAfterMove(to ?? 'none')
    await here.moveCleared()
    ledgerMoved = true
  } else {
    // A move that failed after the switch (step 3) left the old ledger frozen with a copy of the
    // rows: the new ledger remembers where they came from, so repeating the move empties it.
    const origin = await here.moveOrigin()
    if (origin !== null) {
      await ledgerIn(env, agentId, origin === 'none' ? null : origin).clearAfterMove(to ?? 'none')
      await here.moveCleared()
      ledgerMoved = true
    }
  }
  const evidence = await moveEvidence(env, agentId, to)
  return { from, to, ledgerMoved, evidence }
}
