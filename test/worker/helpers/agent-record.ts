/**
 * An active agent record for the workerd tests that seed a ledger's storage directly: valid in
 * shape, with placeholder keys (the ledger does not re-verify evidence, the worker does).
 */
import type { AgentRecord } from '../../../worker/ledger/types.ts'

export function testAgentRecord(agentId: string, over: Partial<AgentRecord> = {}): AgentRecord {
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
