/**
 * A software TPM stand-in for load generation only. It holds no secret a real device would: the
 * keys live in this process, so anything it "attests" proves nothing. The ingest benchmark uses
 * it to drive the real enrollment and batch APIs with many agents at once, where swtpm processes
 * would be the bottleneck. What it imitates, byte for byte as the collector sees it:
 *  - an RSA-2048 EK in the TCG EK template L-1 shape (restricted decrypt, AES-128-CFB, SHA-256,
 *    the PolicySecret(endorsement) authPolicy: agent/tpm/templates/ek-templates.ts), no EK
 *    certificate, so it enrolls only through the EK allowlist (agentId = SHA-256 of TPMT_PUBLIC);
 *  - an ECC P-256 AK with the agent's AK template (restricted sign, fixedTPM, fixedParent,
 *    sensitiveDataOrigin, userWithAuth, ECDSA-SHA256: agent/tpm/templates/ak-templates.ts);
 *  - a SHA-256 PCR bank (24 PCRs, all zero after reset) with extend;
 *  - TPMS_CLOCK_INFO: clock rising in ms, fixed resetCount/restartCount, safe = 1;
 *  - ActivateCredential (soft-activate.ts) and Quote (soft-quote.ts).
 * Leaves out sessions, policies, NV, ECC EKs and everything else a TPM does.
 */
import { p256 } from '@noble/curves/nist.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { concat, fromB64url, toHex } from '../../attest/bytes/encoding.ts'
import { marshalTpm2bPublic, marshalTpmtPublic } from '../../attest/tpm/marshal-public.ts'
import { objectName } from '../../attest/tpm/name.ts'
import { parseTpmtPublic } from '../../attest/tpm/public.ts'
import type { EccPublic, PcrSelection, PcrValues, RsaPublic } from '../../attest/tpm/types.ts'
import { AK_TEMPLATES } from '../../agent/tpm/templates/ak-templates.ts'
import { EK_RSA_L1 } from '../../agent/tpm/templates/ek-templates.ts'
import { softActivateCredential } from './soft-activate.ts'
import { softQuote, type QuoteSigner, type SoftQuote } from './soft-quote.ts'

const PCR_COUNT = 24
/** swtpm-like constants: this stand-in never reboots. */
const RESET_COUNT = 1
const RESTART_COUNT = 0
const FIRMWARE_VERSION = 0x2019_0308_0000_0000n

export interface SoftTpm {
  ek: RsaPublic
  ak: EccPublic
  /** TPM2B_PUBLIC bytes, as an agent sends them to POST /v1/enroll. */
  ekPublic2b: Uint8Array
  akPublic2b: Uint8Array
  /** Lowercase hex SHA-256 of the EK's TPMT_PUBLIC: the collector's agentId. */
  agentId: string
  akName: Uint8Array
  extendPcr(index: number, digest: Uint8Array): void
  readPcrs(selection: readonly PcrSelection[]): PcrValues
  /** Credential blob and encrypted secret as TPM2B bodies (no outer size). */
  activateCredential(credentialBlob: Uint8Array, encryptedSecret: Uint8Array): Promise<Uint8Array>
  quote(qualifyingData: Uint8Array, selection: readonly PcrSelection[]): SoftQuote
}

function rebuild<T extends RsaPublic | EccPublic>(fields: T): T {
  return parseTpmtPublic(marshalTpmtPublic(fields)) as T
}

/** Makes the quote signer for an AK (soft-quote.ts's `sign`); @noble/curves when absent. */
export type QuoteSignerFactory = (ak: EccPublic, akPrivate: Uint8Array) => QuoteSigner

export async function createSoftTpm(o: { signer?: QuoteSignerFactory } = {}): Promise<SoftTpm> {
  const ekPair = (await crypto.subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['encrypt', 'decrypt'],
  )) as CryptoKeyPair
  // workers-types type exportKey as ArrayBuffer | JsonWebKey; 'jwk' always gives the latter.
  const jwk = (await crypto.subtle.exportKey('jwk', ekPair.publicKey)) as JsonWebKey
  const ek = rebuild({ ...(EK_RSA_L1.fields as RsaPublic), modulus: fromB64url(jwk.n!) })

  const akPrivate = p256.utils.randomSecretKey()
  const akPoint = p256.getPublicKey(akPrivate, false)
  const ak = rebuild({
    ...(AK_TEMPLATES.ecc.fields as EccPublic),
    x: akPoint.subarray(1, 33),
    y: akPoint.subarray(33),
  })
  const akName = objectName(ak)
  const sign = o.signer?.(ak, akPrivate)

  const pcrs: Uint8Array[] = Array.from({ length: PCR_COUNT }, () => new Uint8Array(32))
  // Milliseconds since "power on", never repeating: the collector wants it strictly rising.
  const bootedAt = Date.now() - 60_000
  let lastClock = 0n

  return {
    ek,
    ak,
    ekPublic2b: marshalTpm2bPublic(ek),
    akPublic2b: marshalTpm2bPublic(ak),
    agentId: toHex(sha256(ek.raw)),
    akName,
    extendPcr(index, digest) {
      pcrs[index] = sha256(concat(pcrs[index]!, digest))
    },
    readPcrs(selection) {
      const out: PcrValues = {}
      for (const s of selection) {
        if (s.hashAlg !== 'sha256') throw new Error(`soft TPM has no ${s.hashAlg} bank`)
        for (const p of s.pcrs) (out.sha256 ??= {})[p] = pcrs[p]!.slice()
      }
      return out
    },
    activateCredential: (credentialBlob, encryptedSecret) =>
      softActivateCredential({
        ek,
        ekPrivate: ekPair.privateKey,
        objectName: akName,
        credentialBlob,
        encryptedSecret,
      }),
    quote(qualifyingData, selection) {
      const now = BigInt(Date.now() - bootedAt)
      lastClock = now > lastClock ? now : lastClock + 1n
      return softQuote({
        ak,
        akPrivate,
        qualifyingData,
        selection,
        pcrs: { sha256: Object.fromEntries(pcrs.map((v, i) => [i, v])) },
        clockInfo: {
          clock: lastClock,
          resetCount: RESET_COUNT,
          restartCount: RESTART_COUNT,
          safe: true,
        },
        firmwareVersion: FIRMWARE_VERSION,
        sign,
      })
    },
  }
}
