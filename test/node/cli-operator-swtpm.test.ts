/**
 * The operator and auditor commands end to end, as an operator would use them, against a real
 * `wrangler dev` collector and a swtpm agent: agents list/show/zones/revoke, zones put/list/delete,
 * policy get/set (conditional write), decisions, provenance get + verify bundle, log sth and a
 * verified consistency proof. Also the agent fixes that need a real TPM: enrollment through
 * TPM2TOOLS_TCTI, `agent send` after a TPM reset (the sensor PCR is measured again), and
 * `agent status` counting one-shot sends. The collector URL and token come from AEGIS_COLLECTOR /
 * AEGIS_TOKEN, as in a shell.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SWTPM_LOCALCA_DIR } from '../../scripts/seed-dev.ts'
import { cli } from './helpers/cli.ts'
import { startCollector, type Collector } from './helpers/collector.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'
import { PARIS_POLYGON, until } from './helpers/fixtures.ts'

const PARIS = '48.8566,2.3522,10'
const BERLIN = '52.52,13.405,10'
const PARIS_FEATURE = {
  type: 'Feature',
  properties: { name: 'Paris' },
  geometry: PARIS_POLYGON,
}
const ROOTS = [
  `${SWTPM_LOCALCA_DIR}/swtpm-localca-rootca-cert.pem`,
  `${SWTPM_LOCALCA_DIR}/issuercert.pem`,
]

describe('aegis operator and auditor commands against wrangler dev and swtpm', () => {
  let swtpm: Swtpm
  let collector: Collector
  let dir: string
  let tpmDir: string
  let agentDir: string
  let agentId: string
  let env: Record<string, string | undefined>
  let sent = 0
  const batchIds: string[] = []

  const aegis = (argv: string[], extra: Record<string, string | undefined> = {}) =>
    cli(argv, { ...env, ...extra })
  const send = async (location: string, extra: string[] = []) => {
    const r = await aegis(['agent', 'send', '--state', agentDir, '--location', location, ...extra])
    if (r.stdout.startsWith('{"sent"')) sent += (JSON.parse(r.stdout) as { sent: number }).sent
    return r
  }
  const synced = (id: string) =>
    until(`batch ${id} synced`, async () => {
      const r = await aegis(['provenance', 'get', id, '--out', path.join(dir, `${id}.json`)])
      return r.code === 0 ? r : undefined
    })

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-cli-op-'))
    tpmDir = path.join(dir, 'tpm')
    agentDir = path.join(dir, 'agent')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(tpmDir)
    swtpm = await startSwtpm({ stateDir: tpmDir, provision: true })
    collector = await startCollector()
    env = {
      AEGIS_COLLECTOR: collector.url,
      AEGIS_TOKEN: await collector.token('operator'),
      AEGIS_PROFILES: path.join(dir, 'no-profiles.json'),
    }
    // No --tpm: the TCTI comes from TPM2TOOLS_TCTI, as for tpm2-tools.
    const e = await aegis(['agent', 'enroll', '--collector', collector.url, '--state', agentDir], {
      TPM2TOOLS_TCTI: swtpm.tcti,
    })
    expect(e.code, e.stdout + e.stderr).toBe(0)
    agentId = (JSON.parse(e.stdout) as { agentId: string }).agentId
  }, 180_000)
  afterAll(async () => {
    await collector?.stop()
    await swtpm?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('agents list and show: a table for people, the API JSON with --json', async () => {
    const t = await aegis(['agents', 'list'])
    expect(t.code, t.stderr).toBe(0)
    expect(t.stdout).toMatch(/^AGENT\s+STATUS\s+ZONES\s+RESIDENCY\s+SENSOR\s+ENROLLED\n/)
    expect(t.stdout).toMatch(
      new RegExp(`^${agentId}\\s+active\\s+-\\s+-\\s+gnss:ublox-m8\\s+\\d{4}-`, 'm'),
    )
    const j = JSON.parse(
      (await aegis(['agents', 'list', '--status', 'active', '--json'])).stdout,
    ) as { agents: { agentId: string }[] }
    expect(j.agents.map((a) => a.agentId)).toContain(agentId)
    const s = await aegis(['agents', 'show', agentId, '--json'])
    expect(JSON.parse(s.stdout)).toMatchObject({
      agentId,
      status: 'active',
      sensor: { id: 'gnss:ublox-m8' },
    })
    const unknown = await aegis(['agents', 'show', 'f'.repeat(64), '--json'])
    expect([unknown.code, JSON.parse(unknown.stdout).code]).toEqual([1, 'ERR_AGENT_UNKNOWN'])
    const viewer = await aegis(['agents', 'list'], { AEGIS_TOKEN: await collector.token('viewer') })
    expect(viewer.code).toBe(1)
    expect(viewer.stderr).toContain('ERR_AUTH_FORBIDDEN')
  })

  it('zones put/list/delete and agents zones decide where batches are accepted; decisions show why', async () => {
    const file = path.join(dir, 'paris.geojson')
    writeFileSync(file, JSON.stringify(PARIS_FEATURE))
    const put = await aegis(['zones', 'put', 'paris', file, '--country', 'FR'])
    expect([put.code, put.stdout], put.stderr).toEqual([0, 'zone paris (Paris) stored\n'])
    const bad = await aegis(['zones', 'put', 'broken', file, '--country', 'France', '--json'])
    expect([bad.code, JSON.parse(bad.stdout).code]).toEqual([1, 'ERR_GEO_INVALID_ZONE'])
    const list = await aegis(['zones', 'list'])
    expect(list.stdout).toMatch(/^paris\s+Paris\s+FR\s+Polygon \(5 positions\)$/m)
    expect((await aegis(['agents', 'zones', agentId, 'atlantis'])).stderr).toContain(
      'unknown zones: atlantis',
    )
    const z = await aegis(['agents', 'zones', agentId, 'paris'])
    expect([z.code, z.stdout]).toEqual([0, `${agentId} zones: paris\n`])

    await new Promise((r) => setTimeout(r, 5_100)) // the collector caches configuration for 5 s
    const ok = await send(PARIS, ['--count', '2'])
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    batchIds.push(...(JSON.parse(ok.stdout) as { batchIds: string[] }).batchIds)
    const out = await send(BERLIN)
    expect(out.code).toBe(1)
    expect(JSON.parse(out.stdout).rejected.map((x: { code: string }) => x.code)).toEqual([
      'ERR_GEO_OUTSIDE',
    ])
    expect(out.stderr).toContain('ERR_GEO_OUTSIDE')

    const d = await until('the refusal in the audit trail', async () => {
      const r = await aegis(['decisions', '--agent', agentId, '--verdict', 'reject'], {
        AEGIS_TOKEN: await collector.token('auditor'),
      })
      return r.stdout.includes('ERR_GEO_OUTSIDE') ? r : undefined
    })
    expect(d.stdout).toMatch(/^AT \(UTC\)\s+KIND\s+VERDICT\s+CODE\s+AGENT\s+ZONE\s+DETAIL\n/)
    expect(d.stdout).toMatch(
      new RegExp(`batch\\s+reject\\s+ERR_GEO_OUTSIDE\\s+${agentId.slice(0, 12)}`),
    )
    // Local dev has no client country: null, not the placeholder "US" (scripts/local-cf.mjs),
    // and wrangler did not try to fetch one from workers.cloudflare.com.
    const dj = JSON.parse(
      (
        await aegis(['decisions', '--agent', agentId, '--json'], {
          AEGIS_TOKEN: await collector.token('auditor'),
        })
      ).stdout,
    )
    expect(dj.decisions.length).toBeGreaterThan(2)
    expect(dj.decisions.map((x: { cf_country: unknown }) => x.cf_country)).toEqual(
      dj.decisions.map(() => null),
    )
    expect(collector.logs()).not.toContain('Unable to fetch the `Request.cf` object')
    // a geofence refusal records where the fix was and how far the zone is
    const outside = dj.decisions.find((x: { code: string }) => x.code === 'ERR_GEO_OUTSIDE')
    expect(outside.detail.fix).toEqual({ lat: 52.52, lon: 13.405, accuracyM: 10 })
    expect(outside.detail.nearest.zone).toBe('paris')
    expect(outside.detail.nearest.distanceM).toBeGreaterThan(800_000)
    const bogus = await aegis(['decisions', '--from', 'yesterday'])
    expect([bogus.code, bogus.stderr]).toEqual([
      2,
      expect.stringContaining('--from must be an ISO 8601 time'),
    ])

    const tmp = await aegis(['zones', 'put', 'tmp', '-', '--name', 'x'], {})
    expect(tmp.code).toBe(2) // stdin is not a zone here: vitest gives no stdin
    writeFileSync(path.join(dir, 'poly.json'), JSON.stringify(PARIS_FEATURE.geometry))
    expect((await aegis(['zones', 'put', 'tmp', path.join(dir, 'poly.json')])).stdout).toBe(
      'zone tmp (tmp) stored\n',
    )
    expect((await aegis(['zones', 'delete', 'tmp'])).stdout).toBe('zone tmp deleted\n')
    const again = await aegis(['zones', 'delete', 'tmp', '--json'])
    expect([again.code, JSON.parse(again.stdout).code]).toEqual([1, 'ERR_NOT_FOUND'])
  }, 60_000)

  it('policy get --value and policy set round-trip, conditional on the version', async () => {
    const g = JSON.parse((await aegis(['policy', 'get', '--json'])).stdout) as {
      value: { geo: { maxSpeedMps: number } }
      version: number
    }
    const file = path.join(dir, 'policy.json')
    writeFileSync(file, (await aegis(['policy', 'get', '--value'])).stdout)
    const value = JSON.parse(readFileSync(file, 'utf8')) as typeof g.value
    expect(value).toEqual(g.value)
    value.geo.maxSpeedMps = 250
    writeFileSync(file, JSON.stringify(value))
    const s = await aegis(['policy', 'set', file, '--if-version', String(g.version)])
    expect([s.code, s.stdout], s.stderr).toEqual([0, `policy stored: version ${g.version + 1}\n`])
    const now = JSON.parse((await aegis(['policy', 'get', '--json'])).stdout) as typeof g
    expect([now.version, now.value.geo.maxSpeedMps]).toEqual([g.version + 1, 250])
    const stale = await aegis(['policy', 'set', file, '--if-version', String(g.version), '--json'])
    expect([stale.code, JSON.parse(stale.stdout).code]).toEqual([1, 'ERR_CONFIG_CONFLICT'])
    writeFileSync(file, JSON.stringify({ ...value, mode: 'lenient' }))
    const invalid = await aegis(['policy', 'set', file])
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain('ERR_INPUT_MALFORMED')
  })

  it('provenance get writes a record that verify bundle accepts; log sth and consistency verify', async () => {
    expect(batchIds.length).toBe(2)
    env.AEGIS_TOKEN = await collector.token('auditor')
    await synced(batchIds[0]!)
    const jwks = path.join(dir, 'jwks.json')
    writeFileSync(jwks, await (await fetch(`${collector.url}/.well-known/jwks.json`)).text())
    const record = path.join(dir, `${batchIds[0]}.json`)
    const v = await aegis([
      'verify',
      'bundle',
      record,
      '--roots',
      ROOTS[0]!,
      '--intermediates',
      ROOTS[1]!,
      '--jwks',
      jwks,
      '--json',
    ])
    expect(v.code, v.stdout).toBe(0)
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, batchId: batchIds[0] })

    const sth1 = JSON.parse((await aegis(['log', 'sth', '--json'])).stdout) as {
      treeSize: number
      rootHash: string
    }
    expect(sth1.treeSize).toBeGreaterThanOrEqual(1)
    const more = await send(PARIS)
    expect(more.code, more.stderr).toBe(0)
    await synced((JSON.parse(more.stdout) as { batchIds: string[] }).batchIds[0]!)
    const c = await aegis([
      'log',
      'consistency',
      '--from-size',
      String(sth1.treeSize),
      '--from-root',
      sth1.rootHash,
      '--jwks',
      jwks,
    ])
    expect(c.code, c.stderr).toBe(0)
    expect(c.stdout).toMatch(
      new RegExp(
        `^consistent: ${sth1.treeSize} -> ${sth1.treeSize + 1} \\(root [0-9a-f]{64}\\)\\n$`,
      ),
    )
    const forged = await aegis([
      'log',
      'consistency',
      '--from-size',
      String(sth1.treeSize),
      '--from-root',
      'ab'.repeat(32),
      '--json',
    ])
    expect([forged.code, JSON.parse(forged.stdout).code]).toEqual([1, 'ERR_LOG_PROOF'])
    const text = await aegis(['log', 'sth'])
    // the current month's shard by default; its head names it
    const month = new Date().toISOString().slice(0, 7)
    expect(text.stdout).toMatch(
      new RegExp(
        `^log: ${month}\\ntree size: \\d+\\nroot hash: [0-9a-f]{64}\\ntimestamp: \\d{4}-\\d\\d-\\d\\dT.*Z\\nsignature: `,
      ),
    )
    const shardSth = await aegis(['log', 'sth', '--shard', month, '--jwks', jwks, '--json'])
    expect([shardSth.code, JSON.parse(shardSth.stdout).log]).toEqual([0, month])
    const rootSth = await aegis(['log', 'sth', '--shard', 'root', '--jwks', jwks, '--json'])
    expect([rootSth.code, JSON.parse(rootSth.stdout).log]).toEqual([0, 'root'])
    const rootCons = await aegis([
      'log',
      'consistency',
      '--shard',
      'root',
      '--from-size',
      '0',
      '--jwks',
      jwks,
    ])
    expect(rootCons.code, rootCons.stderr).toBe(0)
    const shards = await aegis(['log', 'shards', '--jwks', jwks, '--json'])
    expect(shards.code, shards.stderr).toBe(0)
    const listed = JSON.parse(shards.stdout) as {
      current: string
      verified: boolean
      shards: { id: string; closed: boolean }[]
    }
    expect([listed.current, listed.verified]).toEqual([month, true])
    expect(listed.shards).toContainEqual(expect.objectContaining({ id: month, closed: false }))
    const shardsText = await aegis(['log', 'shards', '--jwks', jwks])
    expect(shardsText.stdout).toMatch(new RegExp(`${month} \\(current\\)\\s+open`))
    expect(shardsText.stdout).toMatch(
      /root log: size \d+, root hash [0-9a-f]{64} \(all heads verified\)\n$/,
    )
    const badShard = await aegis(['log', 'sth', '--shard', '2026-1'])
    expect([badShard.code, badShard.stderr]).toEqual([
      2,
      expect.stringContaining('--shard must be'),
    ])
    // with the collector's JWKS the head's signature is verified; another key set refuses it
    const verified = await aegis(['log', 'sth', '--jwks', jwks])
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/ \(verified\)\n$/)
    const otherKeys = path.join(dir, 'other-jwks.json')
    const { generateKeyPair, exportJWK } = await import('jose')
    const other = {
      ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
      kid: 'collector-dev-1',
      alg: 'ES256',
    }
    writeFileSync(otherKeys, JSON.stringify({ keys: [other] }))
    const refused = await aegis(['log', 'sth', '--jwks', otherKeys, '--json'])
    expect([refused.code, JSON.parse(refused.stdout).code]).toEqual([1, 'ERR_LOG_STH'])
  }, 90_000)

  it('agent send measures the sensor PCR again after a TPM reset, and agent status counts the sends', async () => {
    // An orderly reboot: the platform's TPM2_Shutdown(CLEAR), then a new power cycle. (A crash
    // without it leaves clock safe = 0, which the collector refuses on purpose.) Every PCR,
    // the sensor's included, is back at its reset value.
    swtpm.tools('tpm2_shutdown', [])
    await swtpm.stop() // the state directory is ours: kept
    swtpm = await startSwtpm({ stateDir: tpmDir, provision: false })
    const r = await send(PARIS, ['--tpm', swtpm.agentTpm])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const st = JSON.parse(
      (await aegis(['agent', 'status', '--state', agentDir, '--json'])).stdout,
    ) as {
      produced: number
      accepted: number
      rejected: number
      rejectedByCode: Record<string, number>
    }
    expect(st).toMatchObject({
      produced: sent,
      accepted: sent - 1,
      rejected: 1,
      rejectedByCode: { ERR_GEO_OUTSIDE: 1 },
    })
  }, 60_000)

  it('agents revoke: the agent is refused from then on', async () => {
    env.AEGIS_TOKEN = await collector.token('operator')
    const r = await aegis(['agents', 'revoke', agentId, '--reason', 'decommissioned'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^revoked ${agentId} at \\d{4}-`))
    const s = await send(PARIS, ['--tpm', swtpm.agentTpm, '--json'])
    expect(s.code).toBe(1)
    expect(JSON.parse(s.stdout).code).toBe('ERR_AGENT_REVOKED')
    expect(
      JSON.parse((await aegis(['agents', 'show', agentId, '--json'])).stdout).revokedReason,
    ).toMatch(/^decommissioned/)
  })
})
