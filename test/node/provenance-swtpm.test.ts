/**
 * Sync and provenance end to end: batches from a swtpm agent reach D1 and R2 through the queue,
 * each bundle re-verifies offline with `aegis verify bundle` (only the manufacturer roots and the
 * collector JWKS), any tampered field is detected with its code, inclusion proofs check against a
 * later signed tree head, and the consistency proof between two tree heads verifies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromB64url, fromHex, toB64url, utf8 } from '../../attest/bytes/encoding.ts'
import { sha256 } from '@noble/hashes/sha2.js'
import { toHex } from '../../attest/bytes/encoding.ts'
import { verifyProvenance } from '../../attest/bundle/verify-provenance.ts'
import type { ProvenanceRecord } from '../../attest/bundle/provenance.ts'
import { leafHash } from '../../attest/merkle/hash.ts'
import { verifyConsistency } from '../../attest/merkle/verify-consistency.ts'
import { verifyInclusion } from '../../attest/merkle/verify-inclusion.ts'
import { loadTrust } from '../../agent/cli/trust-material.ts'
import { cli } from './helpers/cli.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { SWTPM_LOCALCA_DIR } from '../../scripts/seed-dev.ts'
import { enrollWithCli, sendWithCli } from './helpers/fixtures.ts'

const ROOTS = [
  `${SWTPM_LOCALCA_DIR}/swtpm-localca-rootca-cert.pem`,
  `${SWTPM_LOCALCA_DIR}/issuercert.pem`,
]

describe('sync and provenance against swtpm and wrangler dev', () => {
  let swtpm: Swtpm
  let collector: Collector
  let dir: string
  let agentDir: string
  let jwksFile: string
  /** `aegis verify bundle FILE` from the swtpm CA roots and the collector's JWKS only. */
  const verifyBundleArgs = (file: string, ...more: string[]) => {
    const trust = ['--roots', ROOTS[0]!, '--roots', ROOTS[1]!, '--jwks', jwksFile]
    return ['verify', 'bundle', file, ...trust, ...more]
  }
  let batchIds: string[] = []
  const records = new Map<string, ProvenanceRecord>()

  const provenance = async (batchId: string, timeoutMs = 30_000): Promise<ProvenanceRecord> => {
    const until = Date.now() + timeoutMs
    for (;;) {
      const r = await collector.api('auditor', `/v1/provenance/${batchId}`)
      if (r.status === 200) return (await r.json()) as ProvenanceRecord
      expect(r.status).toBe(404)
      if (Date.now() > until) throw new Error(`batch ${batchId} not synced in time`)
      await new Promise((res) => setTimeout(res, 250))
    }
  }
  const send = async (n: number) => {
    const r = await sendWithCli(agentDir, n, '48.8566,2.3522,10')
    expect(r.code, r.out + r.err).toBe(0)
    return (JSON.parse(r.out) as { batchIds: string[] }).batchIds
  }

  beforeAll(async () => {
    swtpm = await startSwtpm()
    collector = await startCollector()
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-prov-'))
    agentDir = path.join(dir, 'agent')
    const e = await enrollWithCli(collector.url, swtpm.agentTpm, agentDir)
    expect(e.code, e.out).toBe(0)
    jwksFile = path.join(dir, 'jwks.json')
    writeFileSync(jwksFile, await (await fetch(`${collector.url}/.well-known/jwks.json`)).text())
    batchIds = await send(5)
  }, 180_000)
  afterAll(async () => {
    await collector?.stop()
    await swtpm?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores every accepted batch exactly once in D1 and R2, with points, rollups and decisions', async () => {
    for (const id of batchIds) records.set(id, await provenance(id))
    expect(records.size).toBe(5)
    const agentId = (
      JSON.parse(Buffer.from(records.get(batchIds[0]!)!.bundle, 'base64url').toString()) as {
        agentId: string
      }
    ).agentId
    const summary = (await (await collector.api('viewer', '/v1/agents/summary')).json()) as {
      agents: { agentId: string; batches: number; status: string }[]
    }
    expect(summary.agents.find((a) => a.agentId === agentId)).toMatchObject({
      batches: 5,
      status: 'active',
    })
    const agg = (await (
      await collector.api(
        'viewer',
        `/v1/aggregates?metric=memory.total&agent=${agentId}&step=1h&from=${Date.now() - 3600_000}`,
      )
    ).json()) as { points: { count: number }[] }
    expect(agg.points.reduce((s, p) => s + p.count, 0)).toBe(5)
    const decisions = (await (
      await collector.api('auditor', `/v1/decisions?agent=${agentId}&verdict=accept`)
    ).json()) as { decisions: { kind: string }[] }
    expect(decisions.decisions.filter((d) => d.kind === 'batch')).toHaveLength(5)
    const metrics = await (await collector.api('viewer', '/metrics')).text()
    expect(metrics).toMatch(/^aegis_batches_stored_total 5$/m)
  })

  it('every bundle re-verifies offline with the CLI, from the roots and the JWKS only', async () => {
    for (const [id, rec] of records) {
      const file = path.join(dir, `${id}.json`)
      writeFileSync(file, JSON.stringify(rec))
      const r = await cli(verifyBundleArgs(file, '--json'))
      const report = JSON.parse(r.out) as {
        ok: boolean
        checks: { name: string; ok: boolean; skipped?: string }[]
      }
      expect(r.code, r.out).toBe(0)
      expect(report.ok).toBe(true)
      expect(report.checks.map((c) => c.name)).toEqual([
        'bundle-hash',
        'ek',
        'ak-binding',
        'payload',
        'quote',
        'receipt',
        'sth',
        'inclusion',
      ])
      expect(report.checks.every((c) => c.ok && !c.skipped)).toBe(true)
    }
    const bad = path.join(dir, 'bad.json')
    const rec = records.get(batchIds[0]!)!
    writeFileSync(bad, JSON.stringify({ ...rec, bundleSha256: '00'.repeat(32) }))
    const r = await cli(verifyBundleArgs(bad, '--json'))
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, code: 'ERR_BUNDLE_HASH' })
    expect(r.err).toContain('ERR_BUNDLE_HASH')
    // without --json the failed report is for people: stderr only
    const t = await cli(verifyBundleArgs(bad))
    expect(t.code).toBe(1)
    expect(t.out).toBe('')
    expect(t.err).toContain('bundle INVALID (ERR_BUNDLE_HASH)')
  })

  it('detects tampering with any field of a bundle, with the right code', async () => {
    const rec = records.get(batchIds[1]!)!
    const other = records.get(batchIds[2]!)!
    const trust = loadTrust(ROOTS)
    const jwks = JSON.parse(await (await fetch(`${collector.url}/.well-known/jwks.json`)).text())
    const ok = await verifyProvenance(rec, { ...trust, jwks })
    expect(ok.ok, JSON.stringify(ok)).toBe(true)
    // the same bundle serialised again is byte-identical, so it still verifies
    const again = JSON.parse(Buffer.from(rec.bundle, 'base64url').toString()) as Record<
      string,
      unknown
    >
    expect(
      (
        await verifyProvenance(
          { ...rec, bundle: toB64url(utf8(JSON.stringify(again))) },
          { ...trust, jwks },
        )
      ).ok,
    ).toBe(true)

    const bundle = JSON.parse(Buffer.from(rec.bundle, 'base64url').toString()) as Record<
      string,
      unknown
    >
    const otherBundle = JSON.parse(Buffer.from(other.bundle, 'base64url').toString()) as Record<
      string,
      never
    >
    // An attacker who rewrites a field also fixes up the bundle hash; the signed parts still catch it.
    const rebundle = (b: Record<string, unknown>): ProvenanceRecord => {
      const bytes = utf8(JSON.stringify(b))
      return { ...rec, bundle: toB64url(bytes), bundleSha256: toHex(sha256(bytes)) }
    }
    // The bundle carries the CAs that chained the EK at enrollment: the vendor root alone suffices,
    // and without the carried chain that same root is not enough.
    const ekPart = bundle.ek as { chain?: string[] }
    expect(ekPart.chain).toHaveLength(2)
    const rootOnly = loadTrust([ROOTS[0]!])
    expect((await verifyProvenance(rec, { ...rootOnly, jwks })).ok).toBe(true)
    const stripped = await verifyProvenance(rebundle({ ...bundle, ek: { ...ekPart, chain: [] } }), {
      ...rootOnly,
      jwks,
    })
    expect(stripped.checks.find((c) => c.name === 'ek')?.code).toBe('ERR_CERT_CHAIN')
    const q = bundle.quote as {
      attest: string
      signature: string
      pcrs: { sha256: Record<string, string> }
    }
    const cases: [string, ProvenanceRecord, string][] = [
      [
        'bundle bytes',
        { ...rec, bundle: toB64url(utf8(JSON.stringify({ ...bundle, seq: 1 }))) },
        'ERR_BUNDLE_HASH',
      ],
      ['payload', rebundle({ ...bundle, payload: otherBundle.payload }), 'ERR_BUNDLE_PAYLOAD'],
      ['seq', rebundle({ ...bundle, seq: (bundle.seq as number) + 1 }), 'ERR_BUNDLE_PAYLOAD'],
      ['nonce', rebundle({ ...bundle, nonce: otherBundle.nonce }), 'ERR_QUOTE_NONCE'],
      [
        'pcr value',
        rebundle({
          ...bundle,
          quote: { ...q, pcrs: { sha256: { ...q.pcrs.sha256, '0': 'ff'.repeat(32) } } },
        }),
        'ERR_PCR_DIGEST',
      ],
      [
        'quote signature',
        rebundle({
          ...bundle,
          quote: { ...q, signature: (otherBundle.quote as { signature: string }).signature },
        }),
        'ERR_QUOTE_SIGNATURE',
      ],
      ['verdict', rebundle({ ...bundle, verdict: 'accept-audit' }), 'ERR_BUNDLE_RECEIPT'],
      ['zone', rebundle({ ...bundle, zone: 'elsewhere' }), 'ERR_BUNDLE_RECEIPT'],
      ['receipt', rebundle({ ...bundle, receipt: otherBundle.receipt }), 'ERR_BUNDLE_RECEIPT'],
      ['binding', rebundle({ ...bundle, binding: otherBundle.receipt }), 'ERR_BUNDLE_BINDING'],
      [
        'ek certificate',
        rebundle({
          ...bundle,
          ek: {
            ...(bundle.ek as object),
            cert: toB64url(fromB64url((bundle.ek as { cert: string }).cert).subarray(0, 200)),
          },
        }),
        'ERR_BUNDLE_BINDING',
      ],
      ['tree head root', { ...rec, sth: { ...rec.sth, rootHash: '00'.repeat(32) } }, 'ERR_LOG_STH'],
      [
        'inclusion path',
        {
          ...rec,
          inclusion: { ...rec.inclusion, path: rec.inclusion.path.map(() => '11'.repeat(32)) },
        },
        'ERR_LOG_PROOF',
      ],
      // no signature covers `findings` or `cfCountry`: the transparency log still does
      ['findings', rebundle({ ...bundle, findings: ['ERR_GEO_OUTSIDE'] }), 'ERR_LOG_PROOF'],
      ['cfCountry', rebundle({ ...bundle, cfCountry: 'ZZ' }), 'ERR_LOG_PROOF'],
    ]
    for (const [what, tampered, code] of cases) {
      const r = await verifyProvenance(tampered, { ...trust, jwks })
      expect({ what, ok: r.ok, code: r.code }).toEqual({ what, ok: false, code })
    }
  })

  it('old inclusion proofs hold against a later tree head, consistent with the earlier one', async () => {
    const first = (await (await collector.api('auditor', '/v1/log/sth')).json()) as {
      treeSize: number
      rootHash: string
    }
    const more = await send(3)
    for (const id of more) await provenance(id)
    const second = (await (await collector.api('auditor', '/v1/log/sth')).json()) as {
      treeSize: number
      rootHash: string
    }
    expect(second.treeSize).toBe(first.treeSize + 3)
    const cons = (await (
      await collector.api(
        'auditor',
        `/v1/log/consistency?from=${first.treeSize}&to=${second.treeSize}`,
      )
    ).json()) as { path: string[] }
    verifyConsistency({
      first: first.treeSize,
      second: second.treeSize,
      firstRoot: fromHex(first.rootHash),
      secondRoot: fromHex(second.rootHash),
      path: cons.path.map((h) => fromHex(h)),
    })
    const old = records.get(batchIds[0]!)!
    const inc = (await (
      await collector.api(
        'auditor',
        `/v1/log/inclusion?batchId=${old.batchId}&treeSize=${second.treeSize}`,
      )
    ).json()) as { index: number; path: string[] }
    verifyInclusion({
      leafHash: leafHash(fromHex(old.bundleSha256)),
      index: inc.index,
      treeSize: second.treeSize,
      path: inc.path.map((h) => fromHex(h)),
      root: fromHex(second.rootHash),
    })
    expect(() =>
      verifyInclusion({
        leafHash: leafHash(fromHex(old.bundleSha256)),
        index: inc.index,
        treeSize: second.treeSize,
        path: inc.path.map((h) => fromHex(h)),
        root: fromHex(first.rootHash),
      }),
    ).toThrow()
  })
})
