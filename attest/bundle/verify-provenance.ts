/**
 * Offline re-verification of a provenance record (`aegis verify bundle`), trusting only the
 * manufacturer roots and the collector's JWKS. Each check is reported, in this order:
 *   bundle-hash   the bundle bytes hash to bundleSha256                 ERR_BUNDLE_HASH
 *   ek            agentId = SHA-256(EK public); EK certificate chains to a root and certifies
 *                 that EK (skipped when the EK was admitted by allowlist, unless required)
 *   ak-binding    collector-signed activation record binds this AK name to this EK    ERR_BUNDLE_BINDING
 *   payload       batchId = SHA-256(payload); payload names this agent and seq       ERR_BUNDLE_PAYLOAD
 *   quote         the AK's quote binds nonce and payload, signature and PCR digest   ERR_QUOTE_*, ERR_PCR_*
 *   receipt       collector-signed receipt for this batch, agent, verdict and zone   ERR_BUNDLE_RECEIPT
 *   sth           collector-signed tree head of the record's shard (its `log` claim)  ERR_LOG_STH
 *   inclusion     the bundle hash is a leaf of that tree                             ERR_LOG_PROOF
 *   root          (when the shard is closed) that tree head, the shard's final one, is a leaf
 *                 of the collector-signed root log                        ERR_LOG_STH, ERR_LOG_PROOF
 * Records without `shard` are of the legacy log 'main', whose heads name no shard.
 * Leaves out re-judging policy (PCR golden values, geofence): the bundle records the verdict and
 * the quoted PCR values, which the report repeats for the auditor.
 */
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose'
import { sha256 } from '../crypto/hash.ts'
import { bytesEqual, fromB64url, fromHex, fromUtf8, toHex, utf8 } from '../bytes/encoding.ts'
import { batchQualifyingData } from '../binding/qualifying-data.ts'
import { AegisError, type ErrorCode } from '../errors.ts'
import { parseBatchPayload } from '../ingest/batch-payload.ts'
import { toPcrValues } from '../json/quote-evidence.ts'
import {
  array,
  b64url,
  hexBytes,
  literal,
  num,
  object,
  optional,
  record,
  str,
  validate,
} from '../json/schema.ts'
import { leafHash } from '../merkle/hash.ts'
import { verifyInclusion } from '../merkle/verify-inclusion.ts'
import { verifyQuote } from '../quote/verify-quote.ts'
import { AK_BINDING_TYP, RECEIPT_TYP, TREE_HEAD_TYP } from '../tokens/typ.ts'
import { objectName } from '../tpm/name.ts'
import { parseTpmtPublic } from '../tpm/public.ts'
import type { Certificate } from '../x509/types.ts'
import { assertEkCertMatches } from '../x509/ek-match.ts'
import { parseCertificate } from '../x509/parse-certificate.ts'
import { verifyChain } from '../x509/verify-chain.ts'
import { BUNDLE_FORMAT, type EvidenceBundle } from './evidence-bundle.ts'
import { PROVENANCE_FORMAT } from './provenance.ts'

export interface CheckReport {
  name: string
  ok: boolean
  skipped?: string
  code?: ErrorCode
  message?: string
}

export interface BundleReport {
  ok: boolean
  code?: ErrorCode
  batchId?: string
  agentId?: string
  verdict?: string
  zone?: string | null
  seq?: number
  pcrs?: Record<string, Record<string, string>>
  ekCert?: { subject: string; issuer: string; serial: string }
  logIndex?: number
  treeSize?: number
  /** the log shard that holds the batch ('main': the legacy log) */
  shard?: string
  /** the shard is closed and its final head is leaf `rootIndex` of the root log */
  rootIndex?: number
  checks: CheckReport[]
}

const Hex32 = hexBytes(32)
const ShardId = str({ pattern: /^(main|\d{4}-\d{2}(-\d{2})?)$/ })
const InclusionSchema = object({
  index: num({ integer: true, min: 0 }),
  treeSize: num({ integer: true, min: 1 }),
  leafHash: Hex32,
  path: array(Hex32, { max: 64 }),
})
const SthSchema = object({
  treeSize: num({ integer: true, min: 0 }),
  rootHash: Hex32,
  timestamp: num({ integer: true, min: 0 }),
  signature: str({ min: 10, max: 4096 }),
  log: optional(str({ max: 16 })),
})
const ProvenanceSchema = object({
  format: literal(PROVENANCE_FORMAT),
  batchId: str({ pattern: /^[0-9a-f]{64}$/ }),
  bundle: b64url({ min: 2, max: 16 * 1024 * 1024 }),
  bundleSha256: Hex32,
  inclusion: InclusionSchema,
  sth: SthSchema,
  shard: optional(ShardId),
  root: optional(object({ inclusion: InclusionSchema, sth: SthSchema })),
})

const HexPcrs = record(
  /^(sha1|sha256|sha384|sha512)$/,
  record(/^\d{1,2}$/, str({ pattern: /^[0-9a-f]+$/ })),
)
const BundleSchema = object({
  format: literal(BUNDLE_FORMAT),
  batchId: str({ pattern: /^[0-9a-f]{64}$/ }),
  agentId: str({ pattern: /^[0-9a-f]{64}$/ }),
  seq: num({ integer: true, min: 0 }),
  acceptedAt: str(),
  verdict: literal('accept', 'accept-audit'),
  findings: array(str()),
  zone: (v: unknown, p: string) => (v === null ? null : str()(v, p)),
  cfCountry: (v: unknown, p: string) => (v === null ? null : str()(v, p)),
  policyVersion: num({ integer: true, min: 0 }),
  payload: str(),
  nonce: str(),
  quote: object({ attest: str(), signature: str(), pcrs: HexPcrs }),
  ak: object({ public: str(), name: str({ pattern: /^[0-9a-f]+$/ }) }),
  ek: object({
    public: str(),
    cert: (v: unknown, p: string) => (v === null ? null : str()(v, p)),
    certSha256: (v: unknown, p: string) =>
      v === null ? null : str({ pattern: /^[0-9a-f]{64}$/ })(v, p),
    chain: optional(array(str({ min: 1, max: 16384 }), { max: 8 })),
  }),
  binding: str(),
  receipt: str(),
})

export interface VerifyBundleOptions {
  roots: Certificate[]
  intermediates?: Certificate[]
  jwks: JSONWebKeySet
  /** Time for certificate validity (default: the batch's acceptance time). */
  at?: Date
  /** Fail instead of skipping when the EK has no certificate (allowlist-admitted). */
  requireEkCert?: boolean
}

type Provenance = ReturnType<typeof ProvenanceSchema>
type Sth = Provenance['sth']
type TpmPublicArea = ReturnType<typeof parseTpmtPublic>

/** One verification: its report, the checks so far, and the collector's keys. */
interface Ctx {
  report: BundleReport
  opts: VerifyBundleOptions
  keys: ReturnType<typeof createLocalJWKSet>
}

function fail(x: Ctx, name: string, e: unknown, fallback: ErrorCode): void {
  const err =
    e instanceof AegisError
      ? e
      : new AegisError(fallback, (e as Error)?.message ?? String(e), { cause: e })
  x.report.checks.push({ name, ok: false, code: err.code, message: err.message })
}

/** Run one named check; a string result means "passed by being skipped", with the reason. */
async function run(x: Ctx, name: string, fallback: ErrorCode, f: () => unknown): Promise<boolean> {
  try {
    const skipped = await f()
    x.report.checks.push(
      typeof skipped === 'string' ? { name, ok: true, skipped } : { name, ok: true },
    )
    return true
  } catch (e) {
    fail(x, name, e, fallback)
    return false
  }
}

/** A part decoded before its check runs: a decoding failure is that check's failure. */
function decode<T>(x: Ctx, name: string, fallback: ErrorCode, f: () => T): T | undefined {
  try {
    return f()
  } catch (e) {
    fail(x, name, e, fallback)
    return undefined
  }
}

/** Claims of a collector-signed JWS of type `typ`; any failure is `code`. */
async function jws(
  x: Ctx,
  token: string,
  typ: string,
  code: ErrorCode,
): Promise<Record<string, unknown>> {
  try {
    const { payload, protectedHeader } = await compactVerify(token, x.keys)
    if (protectedHeader.typ !== typ) throw new Error(`typ ${protectedHeader.typ} is not ${typ}`)
    return JSON.parse(fromUtf8(payload)) as Record<string, unknown>
  } catch (e) {
    throw new AegisError(code, `signature check failed: ${(e as Error).message}`, { cause: e })
  }
}

export async function verifyProvenance(
  raw: unknown,
  opts: VerifyBundleOptions,
): Promise<BundleReport> {
  const x: Ctx = { report: { ok: false, checks: [] }, opts, keys: createLocalJWKSet(opts.jwks) }
  const read = await readRecord(x, raw)
  if (!read) return finish(x.report)
  const { prov, bundle } = read
  await checkEk(x, bundle)
  const ak = decode(x, 'ak-binding', 'ERR_BUNDLE_MALFORMED', () =>
    parseTpmtPublic(fromB64url(bundle.ak.public, 'ak.public')),
  )
  if (ak) await checkAkBinding(x, bundle, ak)
  const payload = decode(x, 'payload', 'ERR_BUNDLE_PAYLOAD', () =>
    fromB64url(bundle.payload, 'payload'),
  )
  if (payload) {
    await checkPayload(x, bundle, payload)
    if (ak) await checkQuote(x, bundle, ak, payload)
  }
  await checkReceipt(x, bundle)
  await checkLog(x, prov)
  return finish(x.report)
}

/** format, bundle-hash, then the bundle itself: nothing else can be checked without them. */
async function readRecord(
  x: Ctx,
  raw: unknown,
): Promise<{ prov: Provenance; bundle: EvidenceBundle } | undefined> {
  const prov = decode(x, 'format', 'ERR_BUNDLE_MALFORMED', () => validate(raw, ProvenanceSchema))
  if (!prov) return undefined
  const hashed = await run(x, 'bundle-hash', 'ERR_BUNDLE_HASH', () => {
    if (!bytesEqual(sha256(prov.bundle), prov.bundleSha256)) {
      throw new AegisError('ERR_BUNDLE_HASH', 'the bundle bytes do not hash to bundleSha256')
    }
  })
  if (!hashed) return undefined
  const bundle = decode(x, 'format', 'ERR_BUNDLE_MALFORMED', () => {
    const b = validate(JSON.parse(fromUtf8(prov.bundle)), BundleSchema) as EvidenceBundle
    if (b.batchId !== prov.batchId)
      throw new AegisError('ERR_BUNDLE_MALFORMED', 'bundle is for another batch')
    return b
  })
  if (!bundle) return undefined
  Object.assign(x.report, {
    batchId: bundle.batchId,
    agentId: bundle.agentId,
    verdict: bundle.verdict,
    zone: bundle.zone,
    seq: bundle.seq,
    pcrs: bundle.quote.pcrs,
  })
  return { prov, bundle }
}

function checkEk(x: Ctx, bundle: EvidenceBundle): Promise<boolean> {
  return run(x, 'ek', 'ERR_CERT_MALFORMED', () => {
    const ekRaw = fromB64url(bundle.ek.public, 'ek.public')
    if (toHex(sha256(ekRaw)) !== bundle.agentId) {
      throw new AegisError('ERR_BUNDLE_BINDING', 'agentId is not the SHA-256 of the EK public area')
    }
    const ek = parseTpmtPublic(ekRaw)
    if (bundle.ek.cert === null) {
      if (x.opts.requireEkCert)
        throw new AegisError('ERR_CERT_CHAIN', 'the EK has no certificate (allowlist-admitted)')
      return 'no EK certificate: the EK was admitted by the operator allowlist'
    }
    const der = fromB64url(bundle.ek.cert, 'ek.cert')
    if (bundle.ek.certSha256 !== toHex(sha256(der))) {
      throw new AegisError('ERR_BUNDLE_BINDING', 'ek.certSha256 does not match the certificate')
    }
    const cert = parseCertificate(der)
    const at = x.opts.at ?? new Date(bundle.acceptedAt)
    // The CAs the collector chained the EK through: untrusted path-building help, so the
    // auditor's own roots still decide.
    const carried = (bundle.ek.chain ?? []).map((c, i) =>
      parseCertificate(fromB64url(c, `ek.chain[${i}]`)),
    )
    const intermediates = [...(x.opts.intermediates ?? []), ...carried]
    verifyChain(cert, { roots: x.opts.roots, intermediates, at })
    assertEkCertMatches(cert, ek)
    x.report.ekCert = { subject: cert.subject, issuer: cert.issuer, serial: cert.serial }
    return undefined
  })
}

function checkAkBinding(x: Ctx, bundle: EvidenceBundle, ak: TpmPublicArea): Promise<boolean> {
  return run(x, 'ak-binding', 'ERR_BUNDLE_BINDING', async () => {
    const name = toHex(objectName(ak))
    if (name !== bundle.ak.name)
      throw new AegisError('ERR_BUNDLE_BINDING', 'ak.name is not the Name of ak.public')
    const c = await jws(x, bundle.binding, AK_BINDING_TYP, 'ERR_BUNDLE_BINDING')
    if (
      c.agentId !== bundle.agentId ||
      c.akName !== name ||
      (c.ekCertSha256 ?? null) !== bundle.ek.certSha256
    ) {
      throw new AegisError('ERR_BUNDLE_BINDING', 'the activation record binds another EK or AK')
    }
  })
}

function checkPayload(x: Ctx, bundle: EvidenceBundle, payload: Uint8Array): Promise<boolean> {
  return run(x, 'payload', 'ERR_BUNDLE_PAYLOAD', () => {
    if (toHex(sha256(payload)) !== bundle.batchId) {
      throw new AegisError('ERR_BUNDLE_PAYLOAD', 'batchId is not the SHA-256 of the payload')
    }
    const p = parseBatchPayload(payload)
    if (p.agentId !== bundle.agentId || p.seq !== bundle.seq) {
      throw new AegisError('ERR_BUNDLE_PAYLOAD', 'the payload names another agent or seq')
    }
  })
}

function checkQuote(
  x: Ctx,
  bundle: EvidenceBundle,
  ak: TpmPublicArea,
  payload: Uint8Array,
): Promise<boolean> {
  return run(x, 'quote', 'ERR_QUOTE_SIGNATURE', () => {
    const pcrs = toPcrValues(
      Object.fromEntries(
        Object.entries(bundle.quote.pcrs).map(([bank, v]) => [
          bank,
          Object.fromEntries(Object.entries(v).map(([i, h]) => [i, fromHex(h)])),
        ]),
      ),
    )
    verifyQuote({
      ak,
      attest: fromB64url(bundle.quote.attest, 'quote.attest'),
      signature: fromB64url(bundle.quote.signature, 'quote.signature'),
      expectedExtraData: batchQualifyingData(fromB64url(bundle.nonce, 'nonce'), payload),
      pcrs,
    })
  })
}

function checkReceipt(x: Ctx, bundle: EvidenceBundle): Promise<boolean> {
  return run(x, 'receipt', 'ERR_BUNDLE_RECEIPT', async () => {
    const c = await jws(x, bundle.receipt, RECEIPT_TYP, 'ERR_BUNDLE_RECEIPT')
    if (
      c.batchId !== bundle.batchId ||
      c.agentId !== bundle.agentId ||
      c.verdict !== bundle.verdict ||
      (c.zone ?? null) !== bundle.zone
    ) {
      throw new AegisError(
        'ERR_BUNDLE_RECEIPT',
        'the receipt is for another batch, agent, verdict or zone',
      )
    }
  })
}

/** sth, inclusion, and (for a closed shard) root. */
async function checkLog(x: Ctx, prov: Provenance): Promise<void> {
  x.report.shard = prov.shard ?? 'main'
  const sthOk = await run(x, 'sth', 'ERR_LOG_STH', () =>
    checkHead(x, prov.sth, prov.shard === 'main' ? undefined : prov.shard),
  )
  await run(x, 'inclusion', 'ERR_LOG_PROOF', () => {
    if (!sthOk) throw new AegisError('ERR_LOG_PROOF', 'no trusted tree head to check against')
    if (prov.inclusion.treeSize !== prov.sth.treeSize) {
      throw new AegisError(
        'ERR_LOG_PROOF',
        'the proof is for another tree size than the signed head',
      )
    }
    const leaf = leafHash(prov.bundleSha256)
    if (!bytesEqual(leaf, prov.inclusion.leafHash))
      throw new AegisError('ERR_LOG_PROOF', 'leaf hash is not of this bundle')
    verifyInclusion({
      leafHash: leaf,
      index: prov.inclusion.index,
      treeSize: prov.inclusion.treeSize,
      path: prov.inclusion.path,
      root: prov.sth.rootHash,
    })
    x.report.logIndex = prov.inclusion.index
    x.report.treeSize = prov.inclusion.treeSize
  })
  const root = prov.root
  if (!root) return
  await run(x, 'root', 'ERR_LOG_PROOF', async () => {
    if (!sthOk) throw new AegisError('ERR_LOG_PROOF', 'no trusted shard head to look for')
    await checkHead(x, root.sth, 'root')
    if (root.inclusion.treeSize !== root.sth.treeSize) {
      throw new AegisError('ERR_LOG_PROOF', 'the root proof is for another size than its head')
    }
    // The root log's leaf for a closed shard: SHA-256 of its final head's JWS.
    const leaf = leafHash(sha256(utf8(prov.sth.signature)))
    if (!bytesEqual(leaf, root.inclusion.leafHash)) {
      throw new AegisError('ERR_LOG_PROOF', "the root log's leaf is not this shard head")
    }
    verifyInclusion({ ...root.inclusion, leafHash: leaf, root: root.sth.rootHash })
    x.report.rootIndex = root.inclusion.index
  })
}

/** A signed tree head of the log `log` names (undefined: the legacy log, which names none). */
async function checkHead(x: Ctx, h: Sth, log: string | undefined): Promise<void> {
  const c = await jws(x, h.signature, TREE_HEAD_TYP, 'ERR_LOG_STH')
  if (
    c.treeSize !== h.treeSize ||
    c.rootHash !== toHex(h.rootHash) ||
    c.timestamp !== h.timestamp
  ) {
    throw new AegisError('ERR_LOG_STH', 'the signed tree head does not match the stated one')
  }
  if (c.log !== log || (h.log !== undefined && h.log !== log)) {
    const named = String(c.log ?? 'main')
    throw new AegisError(
      'ERR_LOG_STH',
      `the tree head is of log '${named}', not '${log ?? 'main'}'`,
    )
  }
}

function finish(r: BundleReport): BundleReport {
  const bad = r.checks.find((c) => !c.ok)
  r.ok = bad === undefined && r.checks.length > 0
  if (bad?.code) r.code = bad.code
  return r
}
