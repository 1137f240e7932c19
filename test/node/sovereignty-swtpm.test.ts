/**
 * Data sovereignty end to end (issue 17, docs/sovereignty.md) against a real `wrangler dev` with
 * two jurisdictions bound (EVIDENCE_EU, EVIDENCE_US in [env.dev]) and a swtpm agent run from its
 * config: an agent zoned in eu has its bundles only in the eu bucket, its ledger in the eu
 * namespace (workerd has no DO jurisdictions: the object named eu:<agentId>, reported by
 * `agents show`), central D1 rows without its exact location; an eu-scoped auditor gets its
 * provenance and a us-scoped one is refused; a label the agent config marks sensitive appears in
 * no stored byte (R2, D1, Durable Object files, the collector's log); re-zoning to us moves the
 * state and every batch stays retrievable.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintDevToken } from '../../agent/dev/dev-token.ts'
import { SWTPM_LOCALCA_DIR } from '../../scripts/seed-dev.ts'
import { cli } from './helpers/cli.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { AgentProcess } from './agent-run/agent-process.ts'
import { boxPolygon } from '../worker/helpers/geo.ts'

const ROOTS = [
  `${SWTPM_LOCALCA_DIR}/swtpm-localca-rootca-cert.pem`,
  `${SWTPM_LOCALCA_DIR}/issuercert.pem`,
]
const PARIS = { lat: 48.8566, lon: 2.3522, accuracyM: 10 }
// Values that occur nowhere else: each is searched for in every stored byte.
const SECRET = 'patient-Zelda-Q7x9'
const HASHED = 'room-Kappa-3w1'
const PLAIN = 'site-Plain-V4k2'
// A box around western Europe.
const BIG_SQUARE = boxPolygon(-10, 35, 30, 70)

/** Every regular file under dir (R2 blobs, D1 and Durable Object SQLite files, WALs, caches). */
function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...filesUnder(p))
    else if (e.isFile()) out.push(p)
  }
  return out
}

/**
 * The needle as stored: raw, and inside base64 or base64url text (payloads are stored base64url
 * in bundles and ledger outboxes), at each of the three alignments a substring can have.
 */
function forms(needle: string): Buffer[] {
  const out = [Buffer.from(needle)]
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.from('\0'.repeat(k) + needle).toString('base64')
    // Drop the characters that depend on the bytes before and after the needle.
    const core = b64.slice(
      Math.ceil((k * 4) / 3) + 1,
      Math.floor(((k + needle.length) * 4) / 3) - 1,
    )
    out.push(Buffer.from(core), Buffer.from(core.replace(/\+/g, '-').replace(/\//g, '_')))
  }
  return out
}

function filesContaining(dir: string, needle: string): string[] {
  const ns = forms(needle)
  return filesUnder(dir).filter((f) => {
    const b = readFileSync(f)
    return ns.some((n) => b.includes(n))
  })
}

/** Blob files of one local R2 bucket (miniflare keeps each bucket's blobs in its own folder). */
function bucketFiles(persist: string, bucket: string): string[] {
  const dir = path.join(persist, 'v3', 'r2', bucket)
  try {
    statSync(dir)
  } catch {
    return []
  }
  return filesUnder(dir)
}

describe('data sovereignty against wrangler dev and swtpm', () => {
  let swtpm: Swtpm
  let collector: Collector
  let agentId: string
  let env: Record<string, string | undefined>
  let batchIds: string[] = []
  const dir = mkdtempSync(path.join(tmpdir(), 'aegis-sovereignty-'))
  const configFile = path.join(dir, 'agent.json')

  const aegis = (argv: string[], extra: Record<string, string | undefined> = {}) =>
    cli(argv, { ...env, ...extra })
  const auditor = (jurisdictions: string[]) =>
    mintDevToken(collector.vars.DEV_ADMIN_JWKS, 'auditor', { jurisdictions })
  const provenance = async (id: string, token: string) =>
    aegis(['provenance', 'get', id, '--out', path.join(dir, `${id}.json`), '--json'], {
      AEGIS_TOKEN: token,
    })

  beforeAll(async () => {
    swtpm = await startSwtpm()
    collector = await startCollector()
    env = {
      AEGIS_COLLECTOR: collector.url,
      AEGIS_TOKEN: await collector.token('operator'),
      AEGIS_PROFILES: path.join(dir, 'no-profiles.json'),
    }
    writeFileSync(path.join(dir, 'square.json'), JSON.stringify(BIG_SQUARE))
    for (const [zone, j] of [
      ['eu-z', 'eu'],
      ['us-z', 'us'],
    ]) {
      const r = await aegis([
        'zones',
        'put',
        zone,
        path.join(dir, 'square.json'),
        '--jurisdiction',
        j!,
      ])
      expect(r.code, r.stderr).toBe(0)
    }
    writeFileSync(
      configFile,
      JSON.stringify({
        collector: collector.url,
        tpm: swtpm.agentTpm,
        stateDir: 'state',
        intervalSeconds: 1,
        location: { fixed: PARIS },
        sensor: { id: 'gnss:ublox-m8', firmware: 'fw-3.01' },
        retry: { initialSeconds: 0.2, maxSeconds: 1 },
        labels: { patient: SECRET, room: HASHED, site: PLAIN },
        privacy: { labels: { patient: 'drop', room: 'hash' }, locationPrecisionDeg: 0.01 },
      }),
    )
  }, 180_000)

  afterAll(async () => {
    await collector?.stop()
    await swtpm?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('an eu agent: ledger and bundles in eu only, D1 coarsened, sensitive label stored nowhere', async () => {
    // Enroll into the run's state directory, then zone the agent into eu: an explicit move.
    const e = await aegis([
      'agent',
      'enroll',
      '--collector',
      collector.url,
      '--tpm',
      swtpm.agentTpm,
      '--state',
      path.join(dir, 'state'),
    ])
    expect(e.code, e.stderr).toBe(0)
    agentId = (JSON.parse(e.stdout) as { agentId: string }).agentId
    const implicit = await aegis(['agents', 'zones', agentId, 'eu-z', '--json'])
    expect([implicit.code, JSON.parse(implicit.stdout).code]).toEqual([
      1,
      'ERR_RESIDENCY_MOVE_REQUIRED',
    ])
    const zoned = await aegis(['agents', 'zones', agentId, 'eu-z', '--move'])
    expect(zoned.code, zoned.stderr).toBe(0)
    expect(zoned.stdout).toContain('moved none -> eu')

    const a = AgentProcess.start(configFile)
    await a.waitFor(
      (r) => r.filter((x) => x.msg === 'batch accepted').length >= 3,
      60_000,
      '3 batches',
    )
    await a.stop('SIGTERM')
    batchIds = a.events('batch accepted').map((e) => e.batchId!)
    const until = Date.now() + 45_000
    let rows: { batch_id: string; lat: number; lon: number; jurisdiction: string }[] = []
    while (Date.now() < until) {
      rows = await collector.d1(
        `SELECT batch_id, lat, lon, jurisdiction FROM batches WHERE agent_id = '${agentId}'`,
      )
      if (rows.length >= batchIds.length) break
      await new Promise((r) => setTimeout(r, 300))
    }
    expect(new Set(rows.map((r) => r.batch_id))).toEqual(new Set(batchIds))

    // Ledger: in the eu namespace.
    const show = JSON.parse((await aegis(['agents', 'show', agentId, '--json'])).stdout) as {
      residency: Record<string, unknown>
    }
    expect(show.residency).toMatchObject({
      jurisdiction: 'eu',
      ledger: "AGENT_LEDGER.jurisdiction('eu')",
      evidence: 'EVIDENCE_EU',
    })
    // Bundles: only in the eu bucket; the unrestricted and us buckets hold nothing.
    expect(bucketFiles(collector.persistDir, 'aegis-evidence-eu').length).toBeGreaterThan(0)
    expect(bucketFiles(collector.persistDir, 'aegis-evidence')).toEqual([])
    expect(bucketFiles(collector.persistDir, 'aegis-evidence-us')).toEqual([])
    // Central D1: the grid cell (0.1 degrees), never the fix the device sent (0.01 degrees).
    for (const r of rows) expect(r).toMatchObject({ lat: 48.85, lon: 2.35, jurisdiction: 'eu' })

    // Sensitive label: its value is in no stored byte and no log line; the hashed label's value
    // neither; the plain label is there (the search does find what is stored).
    const persist = collector.persistDir
    expect(filesContaining(persist, SECRET)).toEqual([])
    expect(filesContaining(persist, HASHED)).toEqual([])
    expect(collector.logs()).not.toContain(SECRET)
    const plain = filesContaining(persist, PLAIN)
    expect(plain.some((f) => f.includes(`${path.sep}aegis-evidence-eu${path.sep}`))).toBe(true)
    expect(filesContaining(persist, '"room":"hmac:').length).toBeGreaterThan(0)
    // The exact fix is not in central D1 (the bundle in the eu bucket has the device's 0.01 cell).
    const d1Files = filesUnder(path.join(persist, 'v3', 'd1'))
    expect(d1Files.filter((f) => readFileSync(f).includes(Buffer.from('48.8566')))).toEqual([])
  }, 150_000)

  it('provenance is served to an eu-scoped auditor and refused to a us-scoped one', async () => {
    const ok = await provenance(batchIds[0]!, await auditor(['eu']))
    expect(ok.code, ok.stderr).toBe(0)
    const refused = await provenance(batchIds[0]!, await auditor(['us']))
    expect([refused.code, JSON.parse(refused.stdout).code]).toEqual([1, 'ERR_RESIDENCY_FORBIDDEN'])
    const verify = await aegis([
      'verify',
      'bundle',
      path.join(dir, `${batchIds[0]}.json`),
      '--roots',
      ...ROOTS,
      '--jwks',
      await jwksFile(),
    ])
    expect(verify.code, verify.stderr + verify.stdout).toBe(0)
  })

  it('re-zoning into us moves ledger and evidence; every batch is still there', async () => {
    const moved = await aegis(['agents', 'zones', agentId, 'us-z', '--move', '--json'])
    expect(moved.code, moved.stderr).toBe(0)
    expect(JSON.parse(moved.stdout).moved).toMatchObject({
      from: 'eu',
      to: 'us',
      ledgerMoved: true,
      evidence: { bundles: batchIds.length, remaining: false },
    })
    expect(bucketFiles(collector.persistDir, 'aegis-evidence-us').length).toBeGreaterThan(0)
    const token = await auditor(['us'])
    for (const id of batchIds) expect((await provenance(id, token)).code).toBe(0)
    const refused = await provenance(batchIds[0]!, await auditor(['eu']))
    expect(JSON.parse(refused.stdout).code).toBe('ERR_RESIDENCY_FORBIDDEN')
    // The agent keeps sending, now into its us ledger.
    const a = AgentProcess.start(configFile)
    await a.waitFor(
      (r) => r.some((x) => x.msg === 'batch accepted'),
      60_000,
      'a batch after the move',
    )
    await a.stop('SIGTERM')
  }, 120_000)

  async function jwksFile(): Promise<string> {
    const f = path.join(dir, 'jwks.json')
    writeFileSync(f, await (await fetch(`${collector.url}/.well-known/jwks.json`)).text())
    return f
  }
})
