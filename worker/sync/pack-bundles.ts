/**
 * Evidence packs: the bundles of one stored queue batch in one R2 object (one R2 write
 * per queue batch, not per accepted batch). A pack is NDJSON: each line is one bundle's exact
 * bytes (serializeBundle writes JSON without newlines), so a bundle is the byte range
 * [offset, offset + length) of its pack, its SHA-256 is the transparency-log leaf as before, and
 * DuckDB or jq read a pack as is (docs/scale.md "Raw points for analysts").
 * Key: evidence/packs/day=YYYY-MM-DD/<hex SHA-256 of the pack>.ndjson, the day (UTC) of the
 * earliest acceptance in it. Content-addressed, so a retried store of the same batches writes the
 * same object again instead of a second copy.
 */
import { toHex } from '../../attest/bytes/encoding.ts'
import { BUNDLE_FORMAT, type EvidenceBundle } from '../../attest/bundle/evidence-bundle.ts'
import { serializeBundle } from '../../attest/bundle/serialize-bundle.ts'
import type { AcceptedBatch, AgentRecord } from '../ledger/types.ts'

/** An accepted batch's evidence bundle: the batch as admitted plus the agent's EK and binding. */
export function buildBundle(b: AcceptedBatch, agent: AgentRecord): EvidenceBundle {
  return {
    format: BUNDLE_FORMAT,
    batchId: b.batchId,
    agentId: b.agentId,
    seq: b.seq,
    acceptedAt: new Date(b.acceptedAt).toISOString(),
    verdict: b.verdict,
    findings: b.findings,
    zone: b.zone,
    cfCountry: b.cfCountry,
    policyVersion: b.policyVersion,
    payload: b.payload,
    nonce: b.nonce,
    quote: b.quote,
    ak: { public: b.akPublic, name: b.akName },
    ek: {
      public: agent.ekPublic,
      cert: agent.ekCert,
      certSha256: agent.ekCertSha256,
      ...(agent.ekCertChain?.length ? { chain: agent.ekCertChain } : {}),
    },
    binding: agent.binding,
    receipt: b.receipt,
  }
}

export interface PackItem {
  b: AcceptedBatch
  bytes: Uint8Array
  sha256: string
}

export interface Pack {
  key: string
  bytes: Uint8Array
  entries: (PackItem & { offset: number; length: number })[]
}

/** Each batch's bundle bytes and their SHA-256 (the log leaf), as attest serializes them. */
export function bundleItems(batches: { b: AcceptedBatch; agent: AgentRecord }[]): PackItem[] {
  return batches.map(({ b, agent }) => ({ b, ...serializeBundle(buildBundle(b, agent)) }))
}

export const PACK_PREFIX = 'evidence/packs/'

export async function packBundles(items: PackItem[]): Promise<Pack> {
  const total = items.reduce((n, i) => n + i.bytes.length + 1, 0)
  const bytes = new Uint8Array(total)
  const entries: Pack['entries'] = []
  let at = 0
  for (const i of items) {
    bytes.set(i.bytes, at)
    entries.push({ ...i, offset: at, length: i.bytes.length })
    at += i.bytes.length
    bytes[at++] = 0x0a
  }
  const digest = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
  const first = Math.min(...items.map((i) => i.b.acceptedAt))
  const day = new Date(first).toISOString().slice(0, 10)
  return { key: `${PACK_PREFIX}day=${day}/${digest}.ndjson`, bytes, entries }
}
