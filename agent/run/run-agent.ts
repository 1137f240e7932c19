/**
 * `aegis agent run`: the agent as a long-running service (docs/agent.md). In order:
 *  1. lock the state directory (one agent per directory), open the spool (finishing anything a
 *     crash interrupted) and move the seq counter above everything spooled;
 *  2. enroll if the state says it has not (retried with backoff while the collector or TPM is
 *     unreachable or refuses: an operator may still fix the allowlist);
 *  3. open the TPM once for the agent's life, TPM2_Startup, and measure the location sensor into
 *     its PCR (once per boot, sensor-pcr.ts);
 *  4. start the location source and two loops: the producer builds a batch every interval into
 *     the spool, the uploader drains the spool in order (upload-spool.ts).
 * Stop (the signal, e.g. SIGTERM): the producer finishes the batch it is building (it lands in
 * the spool), the uploader finishes the request in flight or abandons it after
 * shutdownGraceSeconds (the batch stays spooled), then the location source stops,
 * TPM2_Shutdown(CLEAR) is sent if configured, and the TPM connection closes.
 * Leaves out running as a daemon itself (systemd does: deploy/aegis-agent.service).
 */
import { mkdir } from 'node:fs/promises'
import { AegisError } from '../../attest/errors.ts'
import { advanceSeq } from '../batch/sequence.ts'
import type { AgentConfig } from '../config/agent-config.ts'
import { enrollAgent } from '../enroll/enroll-agent.ts'
import { openLocationSource } from '../location/open-location.ts'
import type { LocationSource } from '../location/fix.ts'
import { HostMetrics } from '../metrics/collect-host.ts'
import { GpuMetrics } from '../metrics/gpu.ts'
import { CollectorClient } from '../net/collector-client.ts'
import { ensureSensorMeasured } from '../sensor/sensor-pcr.ts'
import { Spool } from '../spool/spool.ts'
import type { AgentState } from '../state/agent-state.ts'
import { shutdown } from '../tpm/commands/shutdown.ts'
import { startup } from '../tpm/commands/startup.ts'
import { Tpm } from '../tpm/tpm.ts'
import { StatusWriter, loadRunStatus, spoolDir } from './agent-status.ts'
import { Backoff } from './backoff.ts'
import { classifyFailure } from './classify-failure.ts'
import { errorFields, type Logger } from './logger.ts'
import { produceBatch } from './produce-batch.ts'
import { labelKey } from '../privacy/apply-privacy.ts'
import { sleep, Waker } from './sleep.ts'
import { acquireStateLock } from './state-lock.ts'
import { Uploader } from './upload-spool.ts'

export interface RunOptions {
  /** Abort to stop gracefully. */
  stop: AbortSignal
  log: Logger
}

function logStarting(cfg: AgentConfig, log: RunOptions['log'], spool: Spool): void {
  const { produced, accepted } = spool.counters()
  log.info('agent starting', {
    pid: process.pid,
    collector: cfg.collector,
    tpm: cfg.tpm,
    stateDir: cfg.stateDir,
    intervalSeconds: cfg.intervalSeconds,
    location: cfg.location.kind,
    spoolDepth: spool.depth,
    produced,
    accepted,
  })
}

/** The configured location sensor must be the one measured at enrollment. */
function assertEnrolledSensor(cfg: AgentConfig, state: AgentState): void {
  if (state.sensor.id === cfg.sensor.id && state.sensor.firmware === cfg.sensor.firmware) return
  throw new AegisError(
    'ERR_CONFIG',
    `sensor ${cfg.sensor.id}:${cfg.sensor.firmware} is not the enrolled sensor ${state.sensor.id}:${state.sensor.firmware}; ` +
      `restore it, or re-enroll (aegis agent enroll --force) after the operator approves the change`,
    { detail: { key: 'sensor' } },
  )
}

export async function runAgent(cfg: AgentConfig, o: RunOptions): Promise<void> {
  const { log, stop } = o
  await mkdir(cfg.stateDir, { recursive: true, mode: 0o700 })
  const lock = await acquireStateLock(cfg.stateDir)
  const status = new StatusWriter(cfg.stateDir, {
    ...(await loadRunStatus(cfg.stateDir)),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    stoppedAt: null,
  })
  try {
    await status.update({})
    const spool = await Spool.open(spoolDir(cfg.stateDir), cfg.spool)
    await advanceSeq(cfg.stateDir, spool.highWater)
    logStarting(cfg, log, spool)
    const backoff = new Backoff(cfg.retry.initialSeconds * 1000, cfg.retry.maxSeconds * 1000)
    const state = await enrollWithRetry(cfg, o, status, backoff)
    if (!state) return
    assertEnrolledSensor(cfg, state)
    const tpm = await openTpmWithRetry(cfg.tpm, o, status, backoff)
    if (!tpm) return
    let location: LocationSource | undefined
    try {
      const prepareTpm = async () => {
        await startup(tpm)
        const r = await ensureSensorMeasured(tpm, state.sensor, state.sensor.pcr)
        log.info('location sensor measured', {
          pcr: state.sensor.pcr,
          sensor: state.sensor.id,
          result: r,
        })
      }
      await prepareTpm()
      backoff.reset()
      location = openLocationSource(cfg.location, log)
      location.start()
      const host = new HostMetrics('/proc', '/', cfg.gpu ? new GpuMetrics() : null)
      const wake = new Waker()
      const hard = new AbortController()
      const uploader = new Uploader({
        client: new CollectorClient(state.collector, cfg.requestTimeoutSeconds * 1000),
        tpm,
        state,
        stateDir: cfg.stateDir,
        spool,
        status,
        backoff,
        log,
        prepareTpm,
      })
      log.info('agent running', { agentId: state.agentId })
      const sending = uploader.run({ stop, hard: hard.signal, wake })
      if (spool.depth > 0) wake.notify()
      await produceLoop({ cfg, state, spool, host, location, status, wake, log, stop })
      // Stopping: give the request in flight its grace period, then cut it.
      const grace = setTimeout(() => hard.abort(), cfg.shutdownGraceSeconds * 1000)
      try {
        await sending
      } finally {
        clearTimeout(grace)
      }
      if (cfg.tpmShutdownOnStop) {
        await shutdown(tpm).then(
          () => log.info('TPM2_Shutdown(CLEAR) sent'),
          (e: unknown) => log.warn('TPM2_Shutdown failed', { error: e }),
        )
      }
      const c = spool.counters()
      const { produced, accepted, rejected, dropped } = c
      log.info('agent stopped', { spoolDepth: spool.depth, produced, accepted, rejected, dropped })
    } finally {
      await location?.stop()
      await tpm.close()
    }
  } finally {
    await status.update({ pid: null, stoppedAt: new Date().toISOString() }).catch(() => undefined)
    await lock.release()
  }
}

async function produceLoop(d: {
  cfg: AgentConfig
  state: AgentState
  spool: Spool
  host: HostMetrics
  location: LocationSource
  status: StatusWriter
  wake: Waker
  log: Logger
  stop: AbortSignal
}): Promise<void> {
  const intervalMs = d.cfg.intervalSeconds * 1000
  const privacy = await privacyOf(d.cfg)
  await d.host.collect() // the first CPU sample: every batch reports utilisation over its interval
  let next = Date.now() + intervalMs
  let noFixLogged = false
  while (!d.stop.aborted) {
    await sleep(next - Date.now(), d.stop)
    if (d.stop.aborted) break
    // The batch is built even if a stop arrives meanwhile: it is finished and spooled.
    try {
      const r = await produceBatch({
        state: d.state,
        stateDir: d.cfg.stateDir,
        spool: d.spool,
        host: d.host,
        location: d.location,
        labels: d.cfg.labels,
        ...(privacy ? { privacy } : {}),
      })
      if (r.kind === 'no-fix') {
        const problem = d.location.status().problem ?? 'no fix'
        if (!noFixLogged) d.log.warn('no fresh location fix, batch skipped', { problem })
        noFixLogged = true
        await d.status.update({
          skippedNoFix: d.status.current.skippedNoFix + 1,
          lastError: {
            at: new Date().toISOString(),
            code: 'ERR_GEO_STALE_FIX',
            message: `no fresh location fix: ${problem}`,
          },
        })
      } else {
        if (noFixLogged) d.log.info('location fix available again')
        noFixLogged = false
        d.log.info('batch spooled', { seq: r.seq, bytes: r.size, spoolDepth: d.spool.depth })
        if (r.dropped.length) {
          d.log.warn('spool full, oldest batches dropped', {
            dropped: r.dropped,
            total: d.spool.counters().dropped,
          })
        }
        if (r.unavailable.length) d.log.debug('metrics unavailable', { sources: r.unavailable })
        d.wake.notify()
      }
    } catch (e) {
      d.log.error('could not build or spool a batch', { error: e })
      await d.status
        .update({
          lastError: {
            at: new Date().toISOString(),
            ...(errorFields(e) as { code: string; message: string }),
          },
        })
        .catch(() => undefined)
    }
    next += intervalMs
    // After a suspend or a slow disk, skip the missed ticks rather than burst.
    if (next <= Date.now()) next = Date.now() + intervalMs
  }
}

async function enrollWithRetry(
  cfg: AgentConfig,
  o: RunOptions,
  status: StatusWriter,
  backoff: Backoff,
): Promise<AgentState | undefined> {
  while (!o.stop.aborted) {
    try {
      const { state, fresh } = await enrollAgent({
        collector: cfg.collector,
        tpm: cfg.tpm,
        stateDir: cfg.stateDir,
        ek: cfg.ek,
        ...(cfg.ekCert ? { ekCertFile: cfg.ekCert } : {}),
        ...(cfg.ekCertUrl ? { ekCertUrl: cfg.ekCertUrl } : {}),
        akAlg: cfg.akAlg,
        ...(cfg.akHandle === undefined ? {} : { akHandle: cfg.akHandle }),
        sensor: cfg.sensor,
        platform: cfg.platform,
        ...(cfg.eventLog === undefined ? {} : { eventLog: cfg.eventLog }),
      })
      o.log.info(fresh ? 'enrolled' : 'already enrolled', {
        agentId: state.agentId,
        collector: state.collector,
      })
      backoff.reset()
      return state
    } catch (e) {
      if (e instanceof AegisError && (e.code === 'ERR_CONFIG' || e.code === 'ERR_USAGE')) throw e
      const c = classifyFailure(e)
      // Refusals (EK not allowed, certificate chain) need an operator: retry, but slowly.
      const delay =
        c.action === 'retry' || c.action === 'renonce' ? backoff.next() : backoff.ceiling()
      o.log.error('enrollment failed, will retry', { retryInMs: delay, error: e })
      await status.update({
        lastError: {
          at: new Date().toISOString(),
          ...(errorFields(e) as { code: string; message: string }),
        },
      })
      await sleep(delay, o.stop)
    }
  }
  return undefined
}

async function openTpmWithRetry(
  spec: string,
  o: RunOptions,
  status: StatusWriter,
  backoff: Backoff,
): Promise<Tpm | undefined> {
  while (!o.stop.aborted) {
    try {
      return await Tpm.open(spec)
    } catch (e) {
      if (!(e instanceof AegisError) || e.code !== 'ERR_TPM_TRANSPORT') throw e
      const delay = backoff.next()
      o.log.error('TPM unavailable, will retry', { retryInMs: delay, error: e })
      await status.update({
        lastError: { at: new Date().toISOString(), code: e.code, message: e.message },
      })
      await sleep(delay, o.stop)
    }
  }
  return undefined
}

/** The label key is created only when a label is to be hashed (docs/sovereignty.md). */
async function privacyOf(cfg: AgentConfig) {
  const p = cfg.privacy
  const hashes = Object.values(p.labels).includes('hash')
  if (!hashes && !Object.keys(p.labels).length && !p.locationPrecisionDeg) return undefined
  return { config: p, key: hashes ? await labelKey(cfg.stateDir) : new Uint8Array(32) }
}
