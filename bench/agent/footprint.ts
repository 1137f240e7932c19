/**
 * `npm run bench:agent [-- options]`: the agent's own footprint on the device side, as one JSON
 * document on stdout (also written to bench/out/agent-footprint.json):
 *  - sizes of what build-agent.mjs makes: the .mjs bundle, the linux-x64/arm64 executables and
 *    the Debian packages (built into a temp dir from the current sources);
 *  - `aegis-agent run` (the linux-x64 single executable, as a device runs it) against a real
 *    collector (wrangler dev) and swtpm for --duration seconds, one batch per --interval: resident
 *    memory sampled from /proc every --sample seconds (first after the warm-up, peak, last, and
 *    its growth per hour from a least-squares fit, which a leak would show), and CPU time per
 *    accepted batch (user + system of the agent process only; the TPM's work is swtpm's).
 * Options: --duration S (300; the target is 3600) --interval S (1) --sample S (5) --no-deb
 * --out FILE. Exit 1 when a batch was not accepted, 2 on usage. docs/agent.md "Footprint".
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { buildAgent, REPO, type AgentBuild } from '../../test/node/helpers/agent-build.ts'
import { startSwtpm } from '../../test/node/helpers/swtpm.ts'
import { AgentProcess } from '../../test/node/agent-run/agent-process.ts'
import { startCollector } from '../harness/collector.ts'
import { sampleProc, type ProcSample } from './proc-sample.ts'

const log = (s: string) => process.stderr.write(`[bench:agent] ${s}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function options(argv: string[]) {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      interval: { type: 'string' },
      sample: { type: 'string' },
      'no-deb': { type: 'boolean' },
      out: { type: 'string' },
    },
  })
  const num = (name: string, v: string | undefined, d: number) => {
    const n = v === undefined ? d : Number(v)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`)
    return n
  }
  return {
    durationS: num('duration', a.duration, 300),
    intervalS: num('interval', a.interval, 1),
    sampleS: num('sample', a.sample, 5),
    deb: !a['no-deb'],
    out: path.resolve(a.out ?? path.join(REPO, 'bench/out/agent-footprint.json')),
  }
}

/** Least-squares slope of rss over time, in MiB per hour. */
function growthMiBPerHour(s: ProcSample[]): number | null {
  if (s.length < 3) return null
  const n = s.length
  const mx = s.reduce((a, p) => a + p.at, 0) / n
  const my = s.reduce((a, p) => a + p.rssKiB, 0) / n
  const sxy = s.reduce((a, p) => a + (p.at - mx) * (p.rssKiB - my), 0)
  const sxx = s.reduce((a, p) => a + (p.at - mx) ** 2, 0)
  return sxx === 0 ? null : round(((sxy / sxx) * 3_600_000) / 1024, 2)
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d
const mib = (bytes: number) => round(bytes / 2 ** 20, 2)

function sizes(b: AgentBuild): Record<string, number> {
  const out: Record<string, number> = {}
  for (const f of readdirSync(b.dir))
    if (/^aegis-agent/.test(f)) out[`${f}_mib`] = mib(statSync(path.join(b.dir, f)).size)
  return out
}

interface RunResult {
  samples: ProcSample[]
  accepted: number
  rejected: number
  cpuMsPerBatch: number | null
  warmupS: number
}

/** Run the x64 executable as `aegis-agent run` for the duration; sample it after the warm-up. */
async function runAgent(b: AgentBuild, o: ReturnType<typeof options>): Promise<RunResult> {
  const swtpm = await startSwtpm()
  const collector = await startCollector({ snapshot: true })
  const config = path.join(b.dir, 'agent.json')
  writeFileSync(
    config,
    JSON.stringify({
      collector: collector.url,
      tpm: swtpm.agentTpm,
      stateDir: 'state',
      intervalSeconds: o.intervalS,
      location: { fixed: { lat: 48.8566, lon: 2.3522, accuracyM: 10 } },
      sensor: { id: 'gnss:bench', firmware: '1' },
      gpu: false,
    }),
  )
  const agent = AgentProcess.start(config, [b.exe('x64')])
  const t0 = Date.now()
  const accepted = () => agent.events('batch accepted').length
  try {
    // Warm-up: enrollment, TPM start-up and the first accepted batch are not steady state.
    await agent.waitFor(() => accepted() >= 2, 120_000, 'the first accepted batches')
    const warmupS = round((Date.now() - t0) / 1000)
    const pid = agent.child.pid!
    const first = { sample: sampleProc(pid), accepted: accepted() }
    const samples = [first.sample]
    log(`warm after ${warmupS} s; measuring for ${o.durationS} s`)
    const until = Date.now() + o.durationS * 1000
    while (Date.now() < until) {
      await sleep(Math.min(o.sampleS * 1000, until - Date.now()))
      if (!agent.running) throw new Error(`agent exited:\n${agent.raw.slice(-2000)}`)
      samples.push(sampleProc(pid))
    }
    const last = samples[samples.length - 1]!
    const batches = accepted() - first.accepted
    return {
      samples,
      accepted: batches,
      rejected: agent.events('batch rejected by the collector, dropped').length,
      cpuMsPerBatch: batches > 0 ? round((last.cpuMs - first.sample.cpuMs) / batches, 2) : null,
      warmupS,
    }
  } finally {
    await agent.stop().catch(() => undefined)
    await collector.stop()
    await swtpm.stop()
  }
}

async function main(argv: string[]): Promise<number> {
  let o
  try {
    o = options(argv)
  } catch (e) {
    log(`usage: ${(e as Error).message}`)
    return 2
  }
  log(`building the device artifacts${o.deb ? ' and packages' : ''}`)
  const b = buildAgent(o.deb ? [] : ['--no-deb'])
  try {
    const r = await runAgent(b, o)
    const rss = r.samples.map((s) => s.rssKiB)
    const entry = {
      name: 'agent.footprint',
      executable: 'aegis-agent-linux-x64',
      ...sizes(b),
      duration_s: o.durationS,
      interval_s: o.intervalS,
      batches_accepted: r.accepted,
      batches_rejected: r.rejected,
      warmup_s: r.warmupS,
      rss_first_mib: round(rss[0]! / 1024),
      rss_max_mib: round(Math.max(...rss) / 1024),
      rss_last_mib: round(rss[rss.length - 1]! / 1024),
      rss_peak_hwm_mib: round(r.samples[r.samples.length - 1]!.peakRssKiB / 1024),
      rss_growth_mib_per_hour: growthMiBPerHour(r.samples),
      cpu_ms_per_batch: r.cpuMsPerBatch,
      samples: r.samples.length,
    }
    const doc = {
      results: [entry],
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        node: b.info.nodeVersion,
        commit: b.info.commit,
        date: new Date().toISOString(),
        loadavg_end: os.loadavg().map((x) => round(x, 2)),
      },
    }
    const text = JSON.stringify(doc, null, 2)
    process.stdout.write(text + '\n')
    mkdirSync(path.dirname(o.out), { recursive: true })
    writeFileSync(o.out, text + '\n')
    return r.rejected === 0 && r.accepted > 0 ? 0 : 1
  } finally {
    rmSync(b.dir, { recursive: true, force: true })
  }
}

process.exitCode = await main(process.argv.slice(2))
