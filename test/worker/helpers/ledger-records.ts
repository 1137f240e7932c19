// Ledger fixtures for the consumer and residency tests: an agent record and an accepted batch as
// the ledger stores them, with a real payload (its batchId is the payload's SHA-256) and
// placeholder evidence (these tests exercise storage, not verification).
import { sha256 } from '@noble/hashes/sha2.js'
import { toB64url, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import type { AcceptedBatch, AgentRecord } from '../../../worker/ledger/types.ts'

export function agentRecord(agentId: string, over: Partial<AgentRecord> = {}): AgentRecord {
  return {
    agentId,
    version: 1,
    status: 'active',
    ekPublic: 'AA',
    ekCert: null,
    ekCertSha256: null,
    ekCertSerial: null,
    ekCertIssuer: null,
    akPublic: 'AA',
    akName: '000b' + '00'.repeat(32),
    platform: {},
    sensor: { id: 'gnss:test', firmware: '1' },
    zones: [],
    pcrBaseline: {},
    binding: 'x.y.z',
    enrolledAt: 1,
    revokedAt: null,
    revokedReason: null,
    ...over,
  }
}

export interface BatchSpec {
  agentId: string
  seq: number
  /** collectedAt (ms); accepted 5 ms later */
  at: number
  lat: number
  lon: number
  metrics: { name: string; value: number; unit?: string }[]
  zone: string
}

export function acceptedBatch(s: BatchSpec): AcceptedBatch {
  const payload = utf8(
    JSON.stringify({
      agentId: s.agentId,
      seq: s.seq,
      collectedAt: s.at,
      location: { lat: s.lat, lon: s.lon, accuracyM: 5, fixTime: s.at, sensorId: 'gnss:test' },
      metrics: s.metrics,
    }),
  )
  return {
    batchId: toHex(sha256(payload)),
    agentId: s.agentId,
    seq: s.seq,
    acceptedAt: s.at + 5,
    verdict: 'accept',
    findings: [],
    zone: s.zone,
    cfCountry: null,
    verifyMs: 1,
    payload: toB64url(payload),
    nonce: 'AA',
    quote: { attest: 'AA', signature: 'AA', pcrs: {} },
    akPublic: 'AA',
    akName: '00',
    ekCertSha256: null,
    policyVersion: 0,
    receipt: 'r.e.c',
  }
}
