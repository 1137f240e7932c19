/**
 * `aegis token`: the printed token verifies against ACCESS_JWKS from the same dev-vars file, with
 * the issuer and audience wrangler.toml [vars] trusts, and passes the worker's own role check
 * (worker/auth/verify-access-token.ts, run here in Node). Uses a temp --dev-vars path only.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { DEV_ACCESS_AUDIENCE, DEV_ACCESS_ISSUER, readDevVars } from '../../scripts/dev-vars.mjs'
import { verifyAccessToken } from '../../worker/auth/verify-access-token.ts'
import { cli } from './helpers/cli.ts'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')
const dir = mkdtempSync(path.join(tmpdir(), 'aegis-cli-token-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const aegis = (argv: string[]) => cli(argv, {})

function trusted(file: string) {
  const vars = readDevVars(file)
  return { vars, keySet: createLocalJWKSet(JSON.parse(vars.ACCESS_JWKS!) as JSONWebKeySet) }
}

describe('aegis token', () => {
  const file = path.join(dir, 'dev.vars')

  it('creates the dev-vars file when missing and prints a token that verifies against its ACCESS_JWKS', async () => {
    const r = await aegis(['token', '--role', 'auditor', '--dev-vars', file])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const { keySet } = trusted(file)
    const { payload, protectedHeader } = await jwtVerify(r.stdout.trim(), keySet, {
      issuer: DEV_ACCESS_ISSUER,
      audience: DEV_ACCESS_AUDIENCE,
      algorithms: ['ES256'],
    })
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: 'dev-admin-1' })
    expect(payload).toMatchObject({ sub: 'dev-auditor', roles: ['auditor'] })
    expect(payload.exp! - payload.iat!).toBe(3600)
  })

  it('reuses the existing file, honours --sub and --ttl, and passes the worker check', async () => {
    const before = readFileSync(file, 'utf8')
    const r = await aegis([
      'token',
      '--role',
      'operator',
      '--sub',
      'alice@example.com',
      '--ttl',
      '120',
      '--dev-vars',
      file,
    ])
    expect(r.code).toBe(0)
    expect(readFileSync(file, 'utf8')).toBe(before)
    const token = r.stdout.trim()
    expect(decodeJwt(token).exp! - decodeJwt(token).iat!).toBe(120)
    const { vars } = trusted(file)
    const principal = await verifyAccessToken(
      {
        // Development trust: the worker refuses dev issuers and keys in any other environment.
        ENVIRONMENT: 'development',
        ACCESS_JWKS: vars.ACCESS_JWKS,
        ACCESS_ISSUER: DEV_ACCESS_ISSUER,
        ACCESS_AUDIENCE: DEV_ACCESS_AUDIENCE,
      },
      token,
    )
    expect(principal).toEqual({
      sub: 'alice@example.com',
      roles: ['operator'],
      iss: DEV_ACCESS_ISSUER,
    })
  })

  it('is not trusted by another dev-vars file', async () => {
    const other = path.join(dir, 'other.vars')
    const r = await aegis(['token', '--role', 'viewer', '--dev-vars', other])
    expect(r.code).toBe(0)
    // Every dev file names its admin key dev-admin-1: the kid matches, the signature does not.
    const env = {
      ENVIRONMENT: 'development',
      ACCESS_JWKS: trusted(file).vars.ACCESS_JWKS,
      ACCESS_ISSUER: DEV_ACCESS_ISSUER,
      ACCESS_AUDIENCE: DEV_ACCESS_AUDIENCE,
    }
    await expect(verifyAccessToken(env, r.stdout.trim())).rejects.toMatchObject({
      code: 'ERR_AUTH_INVALID',
    })
  })

  it.each([
    ['no --role', []],
    ['an unknown role', ['--role', 'admin']],
    ['a zero ttl', ['--role', 'viewer', '--ttl', '0']],
    ['a fractional ttl', ['--role', 'viewer', '--ttl', '1.5']],
    ['a ttl over a day', ['--role', 'viewer', '--ttl', '86401']],
    ['a stray argument', ['--role', 'viewer', 'extra']],
    ['an unknown flag', ['--role', 'viewer', '--admin']],
  ])('exits 2 with nothing on stdout for %s', async (_n, args) => {
    const r = await aegis(['token', ...args, '--dev-vars', file])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
  })

  it('exits 2 when the dev-vars file holds no usable admin key', async () => {
    const broken = path.join(dir, 'broken.vars')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(
      broken,
      'COLLECTOR_SIGNING_JWKS="{}"\nDEV_ADMIN_JWKS="{\\"keys\\":[]}"\nACCESS_JWKS="{}"\n',
    )
    const r = await aegis(['token', '--role', 'viewer', '--dev-vars', broken])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('ERR_CONFIG')
  })

  it('prints the token alone on stdout from the real launcher', () => {
    const p = spawnSync(
      process.execPath,
      [path.join(root, 'agent/cli/bin.mjs'), 'token', '--role', 'viewer', '--dev-vars', file],
      {
        cwd: root,
        encoding: 'utf8',
      },
    )
    expect(p.status).toBe(0)
    expect(p.stdout.split('\n')).toHaveLength(2)
    expect(decodeJwt(p.stdout.trim())).toMatchObject({ roles: ['viewer'], iss: DEV_ACCESS_ISSUER })
  })

  it('mints for the issuer and audience wrangler.toml [env.dev.vars] trusts, never [vars]', () => {
    const toml = readFileSync(path.join(root, 'wrangler.toml'), 'utf8')
    const vars = /^\[env\.dev\.vars\]\n([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? ''
    expect(vars).toMatch(new RegExp(`^ACCESS_ISSUER = "${DEV_ACCESS_ISSUER}"$`, 'm'))
    expect(vars).toMatch(new RegExp(`^ACCESS_AUDIENCE = "${DEV_ACCESS_AUDIENCE}"$`, 'm'))
    // The deployed (top-level) vars carry no development value.
    const prod = /^\[vars\]\n([\s\S]*?)(?=^\[)/m.exec(toml)?.[1] ?? ''
    expect(prod).toMatch(/^ENVIRONMENT = "production"$/m)
    expect(prod).not.toContain(DEV_ACCESS_ISSUER)
    expect(prod).not.toMatch(/dev\.local|development/)
  })
})
