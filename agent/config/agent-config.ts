/**
 * The `aegis agent run` configuration file (JSON; reference in docs/agent.md): where the collector
 * and the TPM are, the state directory, the batch interval, the location source, the sensor
 * identity measured into the PCR, spool limits and retry pacing. Unknown keys are refused, and
 * every error is ERR_CONFIG naming the offending key (`detail.key`, e.g. "location.fixed.lat").
 * Relative paths (stateDir, location.nmea, eventLog) are resolved against the config file's directory, so
 * a unit file can start the agent from any working directory.
 * Leaves out reloading on SIGHUP: a changed config takes effect on restart.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import {
  anyJson,
  bool,
  literal,
  num,
  object,
  optional,
  record,
  str,
  validate,
} from '../../attest/json/schema.ts'
import type { PrivacyConfig } from '../privacy/apply-privacy.ts'
import type { EkChoice } from '../tpm/ek.ts'
import { EK_KINDS } from '../tpm/templates/ek-templates.ts'
import { parseTransportSpec } from '../tpm/transport/open-transport.ts'

export type LocationConfig =
  | { kind: 'fixed'; lat: number; lon: number; accuracyM: number; maxFixAgeSeconds: number }
  | { kind: 'gpsd'; host: string; port: number; maxFixAgeSeconds: number }
  | { kind: 'nmea'; path: string; maxFixAgeSeconds: number }

export interface AgentConfig {
  collector: string
  tpm: string
  stateDir: string
  intervalSeconds: number
  location: LocationConfig
  sensor: { id: string; firmware: string }
  spool: { maxBatches: number; maxBytes: number }
  retry: { initialSeconds: number; maxSeconds: number }
  ek: EkChoice
  /** EK certificate file / vendor service URL for TPMs without one in NV (docs/trust.md). */
  ekCert?: string
  ekCertUrl?: string
  akAlg: 'ecc' | 'rsa'
  akHandle: number | undefined
  /** Send TPM2_Shutdown(CLEAR) on graceful stop (default: only for swtpm, see docs/agent.md). */
  tpmShutdownOnStop: boolean
  requestTimeoutSeconds: number
  /** How long a graceful stop waits for the request in flight before abandoning it (it stays spooled). */
  shutdownGraceSeconds: number
  gpu: boolean
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  platform: Record<string, unknown>
  /** The UEFI event log to send (docs/measured-boot.md); unset: the kernel's, when present. */
  eventLog: string | undefined
  /** Labels added to every metric (site, asset, ...); a metric's own labels win. */
  labels: Record<string, string>
  /** Sensitive labels and location precision of what leaves the device (docs/sovereignty.md). */
  privacy: PrivacyConfig
}

export const DEFAULT_SPOOL = { maxBatches: 20_000, maxBytes: 256 * 1024 * 1024 }
export const DEFAULT_RETRY = { initialSeconds: 1, maxSeconds: 300 }
export const DEFAULT_GPSD_PORT = 2947
/** A fix older than this (by its own time) is not put into a batch; the collector allows 300 s. */
export const DEFAULT_MAX_FIX_AGE_S = 60

const FileSchema = object({
  collector: str({ min: 1, max: 2048 }),
  tpm: str({ min: 1, max: 1024 }),
  stateDir: str({ min: 1, max: 4096 }),
  intervalSeconds: num({ min: 1, max: 86_400 }),
  location: (v: unknown) => v,
  sensor: object({ id: str({ min: 1, max: 128 }), firmware: str({ min: 1, max: 128 }) }),
  spool: optional(
    object({
      maxBatches: optional(num({ integer: true, min: 1, max: 10_000_000 })),
      maxBytes: optional(num({ integer: true, min: 64 * 1024, max: 2 ** 40 })),
    }),
  ),
  retry: optional(
    object({
      initialSeconds: optional(num({ min: 0.05, max: 3600 })),
      maxSeconds: optional(num({ min: 0.05, max: 86_400 })),
    }),
  ),
  ek: optional(literal('auto', ...EK_KINDS)),
  ekCert: optional(str({ min: 1, max: 4096 })),
  ekCertUrl: optional(str({ min: 1, max: 4096, pattern: /^https?:\/\// })),
  akAlg: optional(literal('ecc', 'rsa')),
  akHandle: optional((v: unknown, p: string) => handle(v, p)),
  tpmShutdownOnStop: optional(bool()),
  requestTimeoutSeconds: optional(num({ min: 1, max: 600 })),
  shutdownGraceSeconds: optional(num({ min: 0, max: 600 })),
  gpu: optional(bool()),
  logLevel: optional(literal('debug', 'info', 'warn', 'error')),
  platform: optional(anyJson(4096)),
  eventLog: optional(str({ min: 1, max: 4096 })),
  labels: optional(record(/^[a-z][a-z0-9_]{0,31}$/, str({ max: 128 }), { max: 8 })),
  privacy: optional(
    object({
      labels: optional(record(/^[a-z][a-z0-9_]{0,31}$/, literal('drop', 'hash'), { max: 64 })),
      locationPrecisionDeg: optional(num({ min: 0.00001, max: 0.5 })),
    }),
  ),
})

const LocationSchema = object({
  fixed: optional(
    object({
      lat: num({ min: -90, max: 90 }),
      lon: num({ min: -180, max: 180 }),
      accuracyM: optional(num({ min: 0, max: 100_000 })),
    }),
  ),
  gpsd: optional(str({ min: 1, max: 300 })),
  nmea: optional(str({ min: 1, max: 4096 })),
  maxFixAgeSeconds: optional(num({ min: 1, max: 3600 })),
})

function handle(v: unknown, p: string): number {
  const n = typeof v === 'string' && /^0x[0-9a-fA-F]{8}$/.test(v) ? Number(v) : v
  // Persistent handles live in 0x81000000..0x81FFFFFF (TPM 2.0 Part 2 §7.2).
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0x81000000 || n > 0x81ffffff) {
    throw new AegisError('ERR_INPUT_MALFORMED', `${p}: expected a persistent handle`, {
      detail: { path: p, expected: 'a persistent handle 0x81000000..0x81FFFFFF' },
    })
  }
  return n
}

/** `$.location.fixed.lat` -> `location.fixed.lat` */
function keyOf(p: unknown): string {
  return typeof p === 'string' ? p.replace(/^\$\.?/, '') || '(top level)' : '(top level)'
}

function configError(source: string, key: string, expected: string, cause?: unknown): AegisError {
  return new AegisError('ERR_CONFIG', `${source}: ${key}: expected ${expected}`, {
    cause,
    detail: { key, expected },
  })
}

/** Validate a parsed config document. `baseDir` resolves relative paths. */
export function parseAgentConfig(raw: unknown, baseDir: string, source = 'config'): AgentConfig {
  let f: ReturnType<typeof FileSchema>
  let loc: ReturnType<typeof LocationSchema>
  try {
    f = validate(raw, FileSchema)
    loc = LocationSchema(f.location, '$.location')
  } catch (e) {
    if (!(e instanceof AegisError)) throw e
    const d = e.detail as { path?: string; expected?: string } | undefined
    throw configError(source, keyOf(d?.path), d?.expected ?? 'a valid value', e)
  }
  try {
    const u = new URL(f.collector)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)')
  } catch (e) {
    throw configError(source, 'collector', 'an http(s) URL', e)
  }
  try {
    parseTransportSpec(f.tpm)
  } catch (e) {
    throw configError(source, 'tpm', "'swtpm:host=H,port=P' or 'device:/dev/tpmrm0'", e)
  }
  const sources = (['fixed', 'gpsd', 'nmea'] as const).filter((k) => loc[k] !== undefined)
  if (sources.length !== 1) {
    throw configError(source, 'location', 'exactly one of "fixed", "gpsd" or "nmea"')
  }
  const maxFixAgeSeconds = loc.maxFixAgeSeconds ?? DEFAULT_MAX_FIX_AGE_S
  let location: LocationConfig
  if (loc.fixed) {
    location = {
      kind: 'fixed',
      lat: loc.fixed.lat,
      lon: loc.fixed.lon,
      accuracyM: loc.fixed.accuracyM ?? 10,
      maxFixAgeSeconds,
    }
  } else if (loc.gpsd !== undefined) {
    const hp = parseHostPort(loc.gpsd)
    if (!hp) throw configError(source, 'location.gpsd', '"host:port" (IPv6 as "[addr]:port")')
    location = { kind: 'gpsd', ...hp, maxFixAgeSeconds }
  } else {
    location = { kind: 'nmea', path: path.resolve(baseDir, loc.nmea!), maxFixAgeSeconds }
  }
  const retry = { ...DEFAULT_RETRY, ...stripUndefined(f.retry ?? {}) }
  if (retry.maxSeconds < retry.initialSeconds) {
    throw configError(source, 'retry.maxSeconds', 'a number >= retry.initialSeconds')
  }
  if (
    f.platform !== undefined &&
    (typeof f.platform !== 'object' || f.platform === null || Array.isArray(f.platform))
  ) {
    throw configError(source, 'platform', 'an object')
  }
  return {
    collector: f.collector,
    tpm: f.tpm,
    stateDir: path.resolve(baseDir, f.stateDir),
    intervalSeconds: f.intervalSeconds,
    location,
    sensor: f.sensor,
    spool: { ...DEFAULT_SPOOL, ...stripUndefined(f.spool ?? {}) },
    retry,
    ek: f.ek ?? 'auto',
    ...(f.ekCert ? { ekCert: path.resolve(baseDir, f.ekCert) } : {}),
    ...(f.ekCertUrl ? { ekCertUrl: f.ekCertUrl } : {}),
    akAlg: f.akAlg ?? 'ecc',
    akHandle: f.akHandle,
    // swtpm: the agent is the platform (nothing else will send Shutdown before swtpm stops);
    // a device TPM is shut down by the OS at power-off, so the agent leaves it alone.
    tpmShutdownOnStop: f.tpmShutdownOnStop ?? parseTransportSpec(f.tpm).kind === 'swtpm',
    requestTimeoutSeconds: f.requestTimeoutSeconds ?? 30,
    shutdownGraceSeconds: f.shutdownGraceSeconds ?? 10,
    gpu: f.gpu ?? true,
    logLevel: f.logLevel ?? 'info',
    platform: (f.platform as Record<string, unknown> | undefined) ?? {},
    eventLog: f.eventLog === undefined ? undefined : path.resolve(baseDir, f.eventLog),
    labels: f.labels ?? {},
    privacy: {
      labels: f.privacy?.labels ?? {},
      ...(f.privacy?.locationPrecisionDeg
        ? { locationPrecisionDeg: f.privacy.locationPrecisionDeg }
        : {}),
    },
  }
}

/** Read and validate a config file. Unreadable or non-JSON files are ERR_CONFIG too. */
export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    throw new AegisError('ERR_CONFIG', `cannot read config file ${file}: ${(e as Error).message}`, {
      cause: e,
      detail: { key: '(file)' },
    })
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new AegisError('ERR_CONFIG', `${file}: not valid JSON: ${(e as Error).message}`, {
      cause: e,
      detail: { key: '(file)' },
    })
  }
  return parseAgentConfig(raw, path.dirname(path.resolve(file)), file)
}

/** "host:port", "host" (default port), "[v6]:port". */
export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(s)
  if (!m) return undefined
  const port = m[3] === undefined ? DEFAULT_GPSD_PORT : Number(m[3])
  if (port < 1 || port > 65535) return undefined
  return { host: m[1] ?? m[2]!, port }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never
}
