/**
 * `npm run demo`: the whole system on one machine, offline. Starts the collector (wrangler dev,
 * local state in .aegis/demo/wrangler, the repo's .dev.vars keys so `npx aegis token` works
 * against it), two software TPMs (one per simulated device: an agent holds its TPM connection
 * for life and the sensor PCR is per device), defines two geofence zones, enrolls two agents and
 * runs them with `aegis agent run`: "paris" sits inside its zone, "berlin" reports a position in
 * Potsdam, outside its zone, so every one of its batches is refused (ERR_GEO_OUTSIDE). Then it
 * prints where to look (console, aggregates, decisions, provenance) and runs until Ctrl-C, which
 * stops the agents gracefully (5 s at most, then killed), then the TPMs and the collector, within
 * 10 s and leaving no process; a second Ctrl-C kills everything at once. The agents and the
 * collector run in their own process groups, so the terminal's SIGINT reaches only this script,
 * which stops them in order. AEGIS_DEMO_DIR moves the state (default .aegis/demo).
 * Without swtpm it says how to install it and exits 1.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  REPO_ROOT,
  WRANGLER_BIN,
  startWranglerDev,
  wranglerEnv,
} from '../bench/harness/wrangler-dev.ts'
import { mintDevToken } from '../agent/dev/dev-token.ts'
import { enrollAgent } from '../agent/enroll/enroll-agent.ts'
import { startSwtpm, type Swtpm } from '../test/node/helpers/swtpm.ts'
import { ensureDevVars } from './dev-vars.mjs'
import { SWTPM_LOCALCA_DIR, seedDevConfig } from './seed-dev.ts'
import { bootDemoTpm, withDemoEventLogPolicy } from './demo-boot.ts'

process.env.WRANGLER_SEND_METRICS = 'false'
const DEMO = process.env.AEGIS_DEMO_DIR
  ? path.resolve(process.env.AEGIS_DEMO_DIR)
  : path.join(REPO_ROOT, '.aegis/demo')
const AGENT_STOP_MS = 5000
const rel = (p: string) => path.relative(process.cwd(), p) || '.'
const say = (s = '') => process.stdout.write(s + '\n')

const has = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
if (!has('swtpm') || !has('swtpm_setup')) {
  say(`The demo simulates each device's TPM with swtpm, which is not installed.
Install it, then run 'npm run demo' again:
  Debian/Ubuntu:  sudo apt-get install swtpm swtpm-tools tpm2-tools
  Fedora/RHEL:    sudo dnf install swtpm swtpm-tools tpm2-tools
  (macOS has no swtpm package: run the demo in a Linux VM or container.)`)
  process.exit(1)
}

const SITES = [
  {
    name: 'paris',
    zone: {
      id: 'paris',
      name: 'Paris',
      ring: [
        [2.22, 48.81],
        [2.47, 48.81],
        [2.47, 48.91],
        [2.22, 48.91],
        [2.22, 48.81],
      ],
    },
    position: { lat: 48.8566, lon: 2.3522, accuracyM: 15 },
    where: 'central Paris, inside its zone',
    sensor: { id: 'gnss:ublox-m8', firmware: 'fw-3.01' },
  },
  {
    name: 'berlin',
    zone: {
      id: 'berlin',
      name: 'Berlin',
      ring: [
        [13.09, 52.34],
        [13.76, 52.34],
        [13.76, 52.68],
        [13.09, 52.68],
        [13.09, 52.34],
      ],
    },
    position: { lat: 52.3906, lon: 13.0645, accuracyM: 15 },
    where: 'Potsdam, outside its zone (every batch is refused)',
    sensor: { id: 'gnss:ublox-f9p', firmware: 'fw-1.32' },
  },
] as const

const children: ChildProcess[] = []
const tpms: Swtpm[] = []
let collector: { pid: number; stop: () => Promise<void> } | undefined
let stopping = false
let stoppingSince = 0

const killGroup = (pid: number | undefined, sig: NodeJS.Signals) => {
  if (pid === undefined) return
  try {
    process.kill(-pid, sig)
  } catch {
    /* already gone */
  }
}
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null

async function cleanup(): Promise<void> {
  if (stopping) return
  stopping = true
  stoppingSince = Date.now()
  say('\nstopping the agents (they finish or spool their batch in flight)...')
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (!alive(c)) return resolve()
          c.once('exit', () => resolve())
          killGroup(c.pid, 'SIGTERM')
          setTimeout(() => (killGroup(c.pid, 'SIGKILL'), resolve()), AGENT_STOP_MS).unref()
        }),
    ),
  )
  for (const t of tpms) await t.stop().catch(() => undefined)
  await collector?.stop().catch(() => undefined)
  say(`stopped. Agent state and logs stay in ${rel(DEMO)} until the next 'npm run demo'.`)
}

/** The second Ctrl-C: no more waiting, nothing left behind. */
function forceStop(): never {
  for (const c of children) if (alive(c)) killGroup(c.pid, 'SIGKILL')
  for (const t of tpms) void t.stop().catch(() => undefined)
  killGroup(collector?.pid, 'SIGKILL')
  process.exit(130)
}

async function api(
  url: string,
  token: string,
  method: string,
  p: string,
  body: unknown,
): Promise<unknown> {
  const res = await fetch(url + p, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${await res.text()}`)
  return res.json()
}

interface DemoAgent {
  name: string
  agentId: string
  state: string
  log: string
  where: string
  zone: string
}

/** wrangler dev on fresh local state, migrated, seeded, with the demo's event-log policy. */
async function startDemoCollector() {
  say('starting the collector (wrangler dev, local state)...')
  const vars = await ensureDevVars()
  const persist = path.join(DEMO, 'wrangler')
  execFileSync(
    WRANGLER_BIN,
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist],
    {
      cwd: REPO_ROOT,
      env: wranglerEnv(),
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  // Development defaults (built-in policy, the world-wide zone), as `npm run dev` (docs/deploy.md).
  const dev = await startWranglerDev({
    args: ['--persist-to', persist, '--env', 'dev'],
    readyPath: '/healthz',
  })
  collector = dev
  const url = dev.url
  const operator = await mintDevToken(vars.DEV_ADMIN_JWKS, 'operator')
  // On a fresh machine swtpm_setup creates the local CA with the first TPM: seeded again then.
  const seeded = await seedDevConfig(url, operator)
  // Measured boot: each device boots a real recorded UEFI event log (scripts/demo-boot.ts).
  const current = (await api(url, operator, 'GET', '/v1/config/policy', undefined)) as {
    value: Record<string, unknown>
  }
  await api(url, operator, 'PUT', '/v1/config/policy', {
    value: withDemoEventLogPolicy(current.value),
  })

  return { url, operator, seeded, persist }
}

/** One site: its swtpm booted from a recorded log, enrolled, zoned, its agent service running. */
async function startSite(
  site: (typeof SITES)[number],
  c: Awaited<ReturnType<typeof startDemoCollector>>,
): Promise<DemoAgent> {
  const { url, operator, seeded } = c
  const dir = path.join(DEMO, site.name)
  const tpmDir = path.join(dir, 'tpm')
  mkdirSync(tpmDir, { recursive: true })
  say(`provisioning the ${site.name} TPM (swtpm_setup: EK and EK certificate)...`)
  const tpm = await startSwtpm({ stateDir: tpmDir, provision: true })
  tpms.push(tpm)
  if (seeded.trust === 'no-local-ca') await seedDevConfig(url, operator)
  await api(url, operator, 'PUT', `/v1/zones/${site.zone.id}`, {
    name: site.zone.name,
    geometry: { type: 'Polygon', coordinates: [site.zone.ring] },
  })
  const state = path.join(dir, 'state')
  const eventLog = await bootDemoTpm(tpm.agentTpm, dir)
  const { state: s } = await enrollAgent({
    collector: url,
    tpm: tpm.agentTpm,
    stateDir: state,
    sensor: site.sensor,
    eventLog,
  })
  await api(url, operator, 'PUT', `/v1/agents/${s.agentId}/zones`, { zones: [site.zone.id] })
  const config = path.join(dir, 'agent.json')
  writeFileSync(
    config,
    JSON.stringify(
      {
        collector: url,
        tpm: tpm.agentTpm,
        stateDir: 'state',
        intervalSeconds: 5,
        location: { fixed: site.position },
        sensor: site.sensor,
        retry: { initialSeconds: 1, maxSeconds: 30 },
      },
      null,
      2,
    ) + '\n',
  )
  const log = path.join(dir, 'agent.log')
  const out = createWriteStream(log, { flags: 'a' })
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'agent/cli/bin.mjs'), 'agent', 'run', '--config', config],
    // Its own process group: the terminal's Ctrl-C is this script's to relay, in order.
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  )
  children.push(child)
  let pending = ''
  child.stderr!.on('data', (d: Buffer) => {
    out.write(d)
    pending += d.toString('utf8')
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const l of lines) narrate(site.name, l)
  })
  child.on('exit', (code, signal) => {
    if (!stopping) say(`[${site.name}] agent exited (${signal ?? code}); see ${rel(log)}`)
  })
  return {
    name: site.name,
    agentId: s.agentId,
    state,
    log,
    where: site.where,
    zone: site.zone.id,
  }
}

async function main(): Promise<void> {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    // One Ctrl-C arrives several times (the terminal signals the whole group, and npm and tsx
    // each relay it too): only a signal well after the first counts as a second Ctrl-C.
    process.on(sig, () => {
      if (!stopping) return void cleanup().then(() => process.exit(0))
      if (Date.now() - stoppingSince > 1500) forceStop()
    })
  }
  rmSync(DEMO, { recursive: true, force: true })
  mkdirSync(DEMO, { recursive: true })

  const c = await startDemoCollector()
  const agents: DemoAgent[] = []
  for (const site of SITES) agents.push(await startSite(site, c))
  printGuide(c.url, c.persist, agents, await firstAccepted)
}

function printGuide(url: string, persist: string, agents: DemoAgent[], batchId: string): void {
  const [paris, berlin] = agents as [(typeof agents)[0], (typeof agents)[0]]
  say(`
Aegis Edge demo is running. Ctrl-C stops everything.

  collector   ${url}   (wrangler dev, state in ${rel(persist)})
  console     ${url}/   paste a token from: npx aegis token --role operator
${agents.map((a) => `  agent ${a.name.padEnd(7)} ${a.agentId.slice(0, 16)}…  zone ${a.zone}: ${a.where}\n              log ${rel(a.log)}`).join('\n')}

Look around (an auditor token also reads viewer APIs; every command has --help):
  export AEGIS_COLLECTOR=${url} AEGIS_TOKEN=$(npx aegis token --role auditor)
  npx aegis agent status --state ${rel(paris.state)}
  npx aegis agent status --state ${rel(berlin.state)} --json
  npx aegis zones list
  npx aegis decisions --agent ${berlin.agentId} --limit 3
  npx aegis decisions --agent ${paris.agentId} --verdict accept --limit 3
  curl -s -H "authorization: Bearer $AEGIS_TOKEN" '${url}/v1/aggregates?metric=cpu.utilization&zone=paris&step=1m'

Measured boot (each device booted a real RHEL 8 event log; docs/measured-boot.md):
  npx aegis eventlog show ${rel(path.join(DEMO, paris.name, 'binary_bios_measurements'))}
  curl -s -H "authorization: Bearer $(npx aegis token --role operator)" '${url}/v1/agents/${paris.agentId}/boot'

Re-verify a batch offline (provenance is ready a few seconds after acceptance):
  curl -s '${url}/.well-known/jwks.json' > jwks.json
  npx aegis provenance get ${batchId} --out bundle.json
  npx aegis verify bundle bundle.json --roots ${SWTPM_LOCALCA_DIR}/swtpm-localca-rootca-cert.pem \\
      --intermediates ${SWTPM_LOCALCA_DIR}/issuercert.pem --jwks jwks.json
`)
}

let resolveFirst!: (batchId: string) => void
const firstAccepted = new Promise<string>((r) => (resolveFirst = r))

function narrate(name: string, line: string): void {
  let r: { msg?: string; seq?: number; batchId?: string; error?: { code?: string } }
  try {
    r = JSON.parse(line) as typeof r
  } catch {
    return
  }
  if (r.msg === 'batch accepted' && r.batchId) {
    resolveFirst(r.batchId)
    say(`[${name}] batch ${r.seq} accepted  ${r.batchId.slice(0, 16)}…`)
  } else if (r.msg === 'batch rejected by the collector, dropped') {
    say(`[${name}] batch ${r.seq} refused: ${r.error?.code ?? '?'}`)
  } else if (r.msg === 'agent stopped on error' || r.msg === 'send failed, will retry') {
    say(`[${name}] ${r.msg}: ${r.error?.code ?? ''}`)
  }
}

main().catch(async (e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`)
  await cleanup()
  process.exit(1)
})
