/**
 * Where the operator and auditor commands send their requests, and with which token:
 * `--collector` / `--token` flags first, then AEGIS_COLLECTOR / AEGIS_TOKEN, then a profile
 * (`--profile NAME` or AEGIS_PROFILE, default "default") from the profile file (AEGIS_PROFILES,
 * else $XDG_CONFIG_HOME/aegis/profiles.json, else ~/.config/aegis/profiles.json):
 *   {"default": {"collector": "http://localhost:8787", "token": "..."},
 *    "prod": {"collector": "https://aegis.example.com", "tokenFile": "/run/secrets/aegis-token"}}
 * A collector URL is an origin: http(s), no path, query or fragment (a path is a usage error,
 * not a request to the wrong place). Leaves out token refresh: tokens come from `aegis token`
 * (development) or the identity provider (docs/access.md).
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { AegisError } from '../../attest/errors.ts'
import { CollectorClient } from '../net/collector-client.ts'
import { EXIT_OK, type CliIO } from './io.ts'

export const TARGET_FLAGS = {
  collector: 'string',
  token: 'string',
  profile: 'string',
  json: 'boolean',
} as const

export const TARGET_HELP = `  --collector URL    collector origin, e.g. http://localhost:8787 (else AEGIS_COLLECTOR or the profile)
  --token JWT        role token (else AEGIS_TOKEN or the profile; dev: aegis token --role operator)
  --profile NAME     profile from the profile file (else AEGIS_PROFILE, default "default")
  --json             print the collector's JSON answer instead of a table`

/** An http(s) origin, or ERR_USAGE naming what is wrong with it. Returns the origin. */
export function parseCollectorUrl(raw: string, flag = '--collector'): string {
  const usage = (why: string) =>
    new AegisError('ERR_USAGE', `${flag} '${raw}' ${why} (expected e.g. http://localhost:8787)`)
  if (!/^https?:\/\//i.test(raw)) throw usage('has no http:// or https:// scheme')
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw usage('is not a valid URL')
  }
  if (u.username || u.password) throw usage('must not carry credentials')
  if (u.pathname !== '/' || u.search || u.hash)
    throw usage('must be an origin without a path, query or fragment')
  return u.origin
}

export interface Target {
  collector: string
  token: string
}

interface Profile {
  collector?: string
  token?: string
  tokenFile?: string
}

export function profileFile(env: Record<string, string | undefined>): string {
  if (env.AEGIS_PROFILES) return env.AEGIS_PROFILES
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config')
  return path.join(base, 'aegis', 'profiles.json')
}

function loadProfile(env: Record<string, string | undefined>, name: string | undefined): Profile {
  const file = profileFile(env)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    // No file is fine unless a profile was asked for by name.
    if (name === undefined) return {}
    throw new AegisError('ERR_USAGE', `profile '${name}' asked for but ${file} cannot be read`, {
      cause,
    })
  }
  let all: Record<string, Profile>
  try {
    all = JSON.parse(text) as Record<string, Profile>
  } catch (cause) {
    throw new AegisError('ERR_CONFIG', `${file} is not valid JSON`, { cause })
  }
  const p = all?.[name ?? 'default']
  if (p === undefined) {
    if (name === undefined) return {}
    throw new AegisError('ERR_USAGE', `no profile '${name}' in ${file}`)
  }
  if (typeof p !== 'object' || p === null)
    throw new AegisError('ERR_CONFIG', `profile '${name}' in ${file} is not an object`)
  return p
}

export function resolveTarget(
  f: { collector?: string; token?: string; profile?: string },
  env: Record<string, string | undefined>,
): Target {
  const profile = loadProfile(env, f.profile ?? env.AEGIS_PROFILE)
  const raw = f.collector ?? env.AEGIS_COLLECTOR ?? profile.collector
  if (!raw)
    throw new AegisError(
      'ERR_USAGE',
      'no collector: give --collector URL, set AEGIS_COLLECTOR or a profile',
    )
  const collector = parseCollectorUrl(raw, f.collector ? '--collector' : 'collector')
  let token = f.token ?? env.AEGIS_TOKEN ?? profile.token
  if (token === undefined && profile.tokenFile) {
    try {
      token = readFileSync(profile.tokenFile, 'utf8').trim()
    } catch (cause) {
      throw new AegisError('ERR_IO', `cannot read tokenFile ${profile.tokenFile}`, { cause })
    }
  }
  if (!token) {
    throw new AegisError(
      'ERR_USAGE',
      'no token: give --token, set AEGIS_TOKEN or a profile (development: aegis token --role operator)',
    )
  }
  return { collector, token: token.trim() }
}

/** A small authenticated client for the role-protected APIs; collector problems keep their code. */
export function operatorApi(t: Target) {
  const client = new CollectorClient(t.collector)
  const call = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', p: string, body?: unknown) =>
    (await client.request<T>(method, p, body, { token: t.token })).body
  return {
    get: <T>(p: string) => call<T>('GET', p),
    post: <T>(p: string, body: unknown) => call<T>('POST', p, body),
    put: <T>(p: string, body: unknown) => call<T>('PUT', p, body),
    delete: (p: string) => call<unknown>('DELETE', p),
  }
}

/** Aligned text columns for people; `--json` prints the API answer instead. */
export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)\n'
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}

/** The API of the collector the flags and environment name (resolveTarget). */
export function targetApi(
  f: { collector?: string; token?: string; profile?: string },
  env: Record<string, string | undefined>,
): ReturnType<typeof operatorApi> {
  return operatorApi(resolveTarget(f, env))
}

/**
 * The end of every list command: the API's answer as JSON with --json, else a table of `rows`
 * under `headers` (and `footer`, a line after it).
 */
export function printListing(
  io: CliIO,
  l: { json?: boolean; answer: unknown; headers: string[]; rows: string[][]; footer?: string },
): number {
  io.stdout(l.json ? JSON.stringify(l.answer) + '\n' : table(l.headers, l.rows) + (l.footer ?? ''))
  return EXIT_OK
}
