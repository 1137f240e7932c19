/**
 * An enrolled agent in its AgentLedger, driven by the soft TPM (bench/sim/soft-tpm.ts): its
 * agentId, AK and the TPM clock of each request come from real keys and real quotes, so the
 * ledger sees exactly what the ingest route would hand it after verifying the evidence. The
 * record is written straight into the ledger's storage (enrollment has its own tests).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromB64url, toB64url, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { parseTpmsAttest } from '../../../attest/tpm/attest.ts'
import { createSoftTpm, type SoftTpm } from '../../../bench/sim/soft-tpm.ts'
import { agentLedger, type AgentLedgerApi } from '../../../worker/ledger/ledger-stub.ts'
import { issueNonce } from '../../../worker/ledger/stateless-nonce.ts'
import type { AdmitRequest, AdmitResult, AgentRecord } from '../../../worker/ledger/types.ts'
import type { RpcResult } from '../../../worker/ledger/rpc-result.ts'

export interface LedgerAgent {
  tpm: SoftTpm
  agentId: string
  akName: string
  ledger: AgentLedgerApi
  stub: DurableObjectStub
}

export type TpmClock = AdmitRequest['clock']

export async function enrolledAgent(): Promise<LedgerAgent> {
  const tpm = await createSoftTpm()
  const akName = toHex(tpm.akName)
  const record: AgentRecord = {
    agentId: tpm.agentId,
    version: 1,
    status: 'active',
    ekPublic: toB64url(tpm.ek.raw),
    ekCert: null,
    ekCertSha256: null,
    ekCertSerial: null,
    ekCertIssuer: null,
    akPublic: toB64url(tpm.ak.raw),
    akName,
    platform: {},
    sensor: { id: 'gnss:test', firmware: '1' },
    zones: [],
    pcrBaseline: {},
    binding: 'x.y.z',
    enrolledAt: Date.now(),
    revokedAt: null,
    revokedReason: null,
  }
  const stub = env.AGENT_LEDGER.get(env.AGENT_LEDGER.idFromName(tpm.agentId))
  await runInDurableObject(stub, (_o, state) => {
    state.storage.sql.exec(
      'INSERT OR REPLACE INTO agent (id, record) VALUES (1, ?)',
      JSON.stringify(record),
    )
  })
  return { tpm, agentId: tpm.agentId, akName, ledger: agentLedger(env, tpm.agentId), stub }
}

/** A nonce the collector issued to this agent (as GET /nonce or the previous 202 would). */
export function freshNonce(a: LedgerAgent): string {
  return issueNonce(env, a.agentId, 60).nonce
}

/** The TPM clock of a real quote over `nonce`, as the worker reads it from TPMS_ATTEST. */
export function quotedClock(a: LedgerAgent, nonce: string): TpmClock {
  const q = a.tpm.quote(fromB64url(nonce), [{ hashAlg: 'sha256', pcrs: [0] }])
  const ci = parseTpmsAttest(q.attest).clockInfo
  return { clock: ci.clock.toString(), resetCount: ci.resetCount, restartCount: ci.restartCount }
}

export interface BatchOpts {
  seq: number
  nonce?: string
  clock?: TpmClock
  /** Distinguishes payloads of the same seq; the batchId is the payload's hash. */
  value?: number
}

/**
 * The batch half of an admission request, as the ingest route fills it after verification:
 * batchId = SHA-256(payload), placeholder quote and AK (the ledger does not re-verify them).
 */
export function admittedBatch(b: {
  agentId: string
  akName: string
  seq: number
  payload: Uint8Array
  nonce: string
  at: number
}): AdmitRequest['batch'] {
  return {
    batchId: toHex(sha256(b.payload)),
    agentId: b.agentId,
    seq: b.seq,
    acceptedAt: b.at,
    findings: [],
    zone: null,
    cfCountry: null,
    verifyMs: 1,
    payload: toB64url(b.payload),
    nonce: b.nonce,
    quote: { attest: 'AA', signature: 'AA', pcrs: {} },
    akPublic: 'AA',
    akName: b.akName,
    ekCertSha256: null,
    policyVersion: 0,
  }
}

/** The request the ingest route sends after verifying a batch (worker/ingest/routes.ts). */
export function admitRequest(a: LedgerAgent, o: BatchOpts): AdmitRequest {
  const nonce = o.nonce ?? freshNonce(a)
  const now = Date.now()
  const fix = { lat: 52.52, lon: 13.405, accuracyM: 5, fixTime: now }
  // A well-formed payload (attest/ingest/batch-payload.ts): the sync consumer parses it.
  const payload = utf8(
    JSON.stringify({
      agentId: a.agentId,
      seq: o.seq,
      collectedAt: now,
      location: { ...fix, sensorId: 'gnss:test' },
      metrics: [{ name: 'temp.c', value: o.value ?? 20 }],
    }),
  )
  return {
    recordVersion: 1,
    clock: o.clock ?? quotedClock(a, nonce),
    fix,
    geo: { maxSpeedMps: 300, enforce: true },
    nonceTtlSeconds: 60,
    batch: admittedBatch({
      agentId: a.agentId,
      akName: a.akName,
      seq: o.seq,
      payload,
      nonce,
      at: now,
    }),
  }
}

/** Everything admission may change, for "a rejection leaves no state" comparisons. */
export async function ledgerState(a: LedgerAgent): Promise<Record<string, unknown>> {
  return runInDurableObject(a.stub, async (_o, state) => {
    const rows = (sql: string) => state.storage.sql.exec(sql).toArray()
    return {
      replay: rows('SELECT state FROM replay'),
      accepted: rows('SELECT batch_id, seq, receipt FROM accepted ORDER BY seq'),
      outbox: rows('SELECT batch_id, notified_at FROM outbox ORDER BY created_at'),
      alarm: await state.storage.getAlarm(),
    }
  })
}

/** The value of an admission that must have been accepted (the test fails with the code if not). */
export function accepted(r: RpcResult<AdmitResult>): AdmitResult {
  if (!r.ok) throw new Error(`expected acceptance, got ${r.error.code}: ${r.error.message}`)
  return r.value
}
