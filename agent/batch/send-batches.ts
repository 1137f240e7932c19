/**
 * Send N quoted batches now (`aegis agent send`): one nonce request, then each accepted batch's
 * reply carries the next nonce, so a steady stream is one round trip per batch. Each batch gets a
 * fresh seq (persisted first), host metrics collected for it, and the current location fix.
 */
import { AegisError, type ErrorCode } from '../../attest/errors.ts'
import type { BatchPayload } from '../../attest/ingest/batch-payload.ts'
import { HostMetrics } from '../metrics/collect-host.ts'
import { CollectorClient } from '../net/collector-client.ts'
import { ensureSensorMeasured } from '../sensor/sensor-pcr.ts'
import type { AgentState } from '../state/agent-state.ts'
import { startup } from '../tpm/commands/startup.ts'
import { Tpm } from '../tpm/tpm.ts'
import { encodePayload, quoteBatch } from './make-batch.ts'
import { nextSeq } from './sequence.ts'
import { forgetBootAccepted, noteBootAccepted, withEventLog } from '../eventlog/boot-log.ts'

export interface Position {
  lat: number
  lon: number
  accuracyM: number
}

export interface SendResult {
  sent: number
  accepted: number
  rejected: { seq: number; code: ErrorCode; message: string }[]
  batchIds: string[]
}

interface Accepted {
  batchId: string
  receipt: string
  nextNonce: string
}

export async function sendBatches(o: {
  state: AgentState
  stateDir: string
  collector?: string
  count: number
  location: Position
  tpm?: string
}): Promise<SendResult> {
  const client = new CollectorClient(o.collector ?? o.state.collector)
  const tpm = await Tpm.open(o.tpm ?? o.state.tpm)
  const host = new HostMetrics()
  await host.collect() // first CPU sample, so every batch reports utilisation over its interval
  const out: SendResult = { sent: 0, accepted: 0, rejected: [], batchIds: [] }
  try {
    await startup(tpm)
    // A TPM reset (reboot, swtpm restart) clears the sensor PCR: measure it again, as `agent run`
    // does at start, or every quote would fail the collector's sensor check (ERR_GEO_SENSOR).
    await ensureSensorMeasured(tpm, o.state.sensor, o.state.sensor.pcr)
    let nonce: string | undefined
    for (let i = 0; i < o.count; i++) {
      if (!nonce) {
        const { body } = await client.request<{ nonce: string }>(
          'GET',
          `/v1/agents/${o.state.agentId}/nonce`,
        )
        nonce = body.nonce
      }
      const seq = await nextSeq(o.stateDir)
      const now = Date.now()
      const { metrics } = await host.collect()
      const payload: BatchPayload = {
        agentId: o.state.agentId,
        seq,
        collectedAt: now,
        location: { ...o.location, fixTime: now, sensorId: o.state.sensor.id },
        metrics,
      }
      const quoted = await quoteBatch(tpm, o.state, encodePayload(payload), nonce)
      const req = await withEventLog(o.stateDir, o.state.eventLog, quoted)
      out.sent++
      try {
        const { body } = await client.request<Accepted>(
          'POST',
          `/v1/agents/${o.state.agentId}/batches`,
          req,
        )
        if (o.state.eventLog) await noteBootAccepted(o.stateDir, req.quote.pcrs)
        out.accepted++
        out.batchIds.push(body.batchId)
        nonce = body.nextNonce
      } catch (e) {
        if (!(e instanceof AegisError) || e.code === 'ERR_COLLECTOR') throw e
        out.rejected.push({ seq, code: e.code, message: e.message })
        if (e.code === 'ERR_EVENTLOG_REQUIRED') await forgetBootAccepted(o.stateDir)
        nonce = undefined // a rejected batch's nonce may be spent or invalid: ask for a new one
      }
    }
    return out
  } finally {
    await tpm.close()
  }
}

export function parseLocation(s: string): Position {
  const parts = s.split(',').map((x) => Number(x.trim()))
  const [lat, lon, acc] = parts
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !Number.isFinite(x))) {
    throw new AegisError('ERR_USAGE', '--location must be lat,lon[,accuracyM]')
  }
  if (Math.abs(lat!) > 90 || Math.abs(lon!) > 180 || (acc ?? 10) < 0) {
    throw new AegisError('ERR_USAGE', '--location is out of range')
  }
  return { lat: lat!, lon: lon!, accuracyM: acc ?? 10 }
}
