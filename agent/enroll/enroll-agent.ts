/**
 * Enrollment, agent side (DESIGN.md "Enrollment"): find the EK and its certificate, make or reuse
 * the AK, measure the location sensor, ask the collector for a credential challenge, recover the
 * secret with TPM2_ActivateCredential (only this TPM can), quote the policy PCRs bound to the
 * secret, and store the resulting identity. Re-running with an existing state is a no-op.
 */
import { fromB64url, toB64url, toHex } from '../../attest/bytes/encoding.ts'
import { activationQualifyingData } from '../../attest/binding/qualifying-data.ts'
import { pcrsToHex } from '../../attest/policy/check-pcr-policy.ts'
import { CollectorClient } from '../net/collector-client.ts'
import { ensureSensorMeasured } from '../sensor/sensor-pcr.ts'
import { loadState, saveState, type AgentState } from '../state/agent-state.ts'
import { activateCredential } from '../tpm/activate.ts'
import { ensureAttestationKey, DEFAULT_AK_HANDLE } from '../tpm/ak.ts'
import { getEndorsementKey, type EkChoice } from '../tpm/ek.ts'
import { ekCertFromFile, ekCertFromUrl, type EkCertMaterial } from './ek-cert-source.ts'
import { quote, readPcrs } from '../tpm/quote.ts'
import { startup } from '../tpm/commands/startup.ts'
import { Tpm } from '../tpm/tpm.ts'
import { DEFAULT_EVENT_LOG, noteBootAccepted, readEventLog } from '../eventlog/boot-log.ts'
import type { EnrollReply } from '../../attest/wire/types.ts'

export interface EnrollOptions {
  collector: string
  tpm: string
  stateDir: string
  /** EK template; 'auto' (default): the first one whose certificate the TPM holds. */
  ek?: EkChoice
  /** EK certificate (and CA bundle) from a file, for TPMs without an NV certificate. */
  ekCertFile?: string
  /** Vendor EK certificate service URL ({ekhash} placeholder), fetched when set. */
  ekCertUrl?: string
  akAlg?: 'ecc' | 'rsa'
  akHandle?: number
  sensor: { id: string; firmware: string }
  platform?: Record<string, unknown>
  /** Enroll again even if the state says enrolled (e.g. after an operator reset). */
  force?: boolean
  /** The UEFI event log to send (default: the kernel's binary_bios_measurements, when present). */
  eventLog?: string
}

export async function enrollAgent(
  o: EnrollOptions,
): Promise<{ state: AgentState; fresh: boolean }> {
  const existing = await loadState(o.stateDir)
  if (existing && !o.force && existing.collector === o.collector)
    return { state: existing, fresh: false }

  const client = new CollectorClient(o.collector)
  const tpm = await Tpm.open(o.tpm)
  try {
    await startup(tpm)
    const ek = await getEndorsementKey(tpm, o.ek ?? 'auto')
    const { cert, chain } = await ekCertToSend(o, ek)
    const ak = await ensureAttestationKey(tpm, {
      handle: o.akHandle ?? DEFAULT_AK_HANDLE,
      alg: o.akAlg ?? 'ecc',
    })

    const { body: ch } = await client.request<EnrollReply>('POST', '/v1/enroll', {
      ekPublic: toB64url(ek.public),
      ...(cert ? { ekCert: toB64url(cert) } : {}),
      ...(cert && chain.length ? { ekCertChain: chain.map((c) => toB64url(c)) } : {}),
      akPublic: toB64url(ak.public),
      platform: o.platform ?? {},
      locationSensor: o.sensor,
    })
    await ensureSensorMeasured(tpm, o.sensor, ch.sensorPcr)

    const { secret, pcrs, q } = await answerChallenge(tpm, ek, ak.handle, ch)
    const eventLogPath = o.eventLog ?? DEFAULT_EVENT_LOG
    // An explicit --event-log must be readable; the kernel's default file is optional (absent on
    // machines without a TPM event log, root-only on others).
    const eventLog = o.eventLog
      ? await readEventLog(o.eventLog)
      : await readEventLog(eventLogPath).catch(() => undefined)
    const { body: done } = await client.request<{ agentId: string; token: string }>(
      'POST',
      `/v1/enroll/${ch.enrollmentId}/activate`,
      {
        secret: toB64url(secret),
        quote: {
          attest: toB64url(q.attest),
          signature: toB64url(q.signature),
          pcrs: pcrsToHex(pcrs),
        },
        challenge: ch.challenge,
        ...(eventLog ? { eventLog: toB64url(eventLog) } : {}),
      },
    )
    const state: AgentState = {
      version: 1,
      agentId: done.agentId,
      collector: o.collector,
      tpm: o.tpm,
      ek: { kind: ek.kind, handle: ek.handle ?? null },
      ak: { handle: ak.handle, alg: o.akAlg ?? 'ecc', name: toHex(ak.name) },
      sensor: { ...o.sensor, pcr: ch.sensorPcr },
      quoteSelection: ch.quoteSelection,
      token: done.token,
      enrolledAt: new Date().toISOString(),
      ...(eventLog ? { eventLog: eventLogPath } : {}),
    }
    await saveState(o.stateDir, state)
    if (eventLog) await noteBootAccepted(o.stateDir, pcrsToHex(pcrs))
    return { state, fresh: true }
  } finally {
    await tpm.close()
  }
}

type Ek = Awaited<ReturnType<typeof getEndorsementKey>>

/** The EK certificate (and chain) to send: a given file or URL, else what the TPM's NV holds. */
async function ekCertToSend(
  o: EnrollOptions,
  ek: Ek,
): Promise<{ cert: Uint8Array | undefined; chain: Uint8Array[] }> {
  const given: EkCertMaterial | undefined = o.ekCertFile
    ? ekCertFromFile(o.ekCertFile, ek.pub)
    : o.ekCertUrl
      ? await ekCertFromUrl(o.ekCertUrl, ek.pub)
      : undefined
  return {
    cert: given?.cert ?? ek.cert,
    chain: given?.chain.length ? given.chain : ek.chain,
  }
}

/** ActivateCredential recovers the collector's secret; the activation quote binds it. */
async function answerChallenge(tpm: Tpm, ek: Ek, akHandle: number, ch: EnrollReply) {
  const secret = await activateCredential(tpm, {
    ek: { kind: ek.kind, handle: ek.handle, name: ek.name },
    akHandle,
    credentialBlob: fromB64url(ch.credentialBlob),
    encryptedSecret: fromB64url(ch.encryptedSecret),
    // The collector sends TPM2B forms (size-prefixed), the command's own parameter shapes.
    form: 'tpm2b',
  })
  const pcrs = await readPcrs(tpm, ch.quoteSelection)
  const qualifying = activationQualifyingData(ch.enrollmentId, secret)
  const q = await quote(tpm, akHandle, qualifying, ch.quoteSelection)
  return { secret, pcrs, q }
}
