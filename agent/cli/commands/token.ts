/**
 * `aegis token --role operator|auditor|viewer [--ttl S] [--sub NAME] [--dev-vars PATH]`: mints a
 * development role token and prints it alone on stdout. Signed (ES256) with the first key of
 * DEV_ADMIN_JWKS from the dev-vars file (default: the repo's .dev.vars, created with fresh keys
 * by scripts/dev-vars.mjs when missing), with the issuer and audience dev config trusts
 * (DEV_ACCESS_ISSUER / DEV_ACCESS_AUDIENCE = wrangler.toml [env.dev.vars]). Only a worker that
 * trusts this file's ACCESS_JWKS accepts the token: production never does (docs/access.md).
 * Leaves out production tokens: those come from the identity provider (Cloudflare Access).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AegisError } from '../../../attest/errors.ts'
import { DEV_VARS, ensureDevVars } from '../../../scripts/dev-vars.mjs'
import { mintDevToken, type DevRole } from '../../dev/dev-token.ts'
import { parseFlags, required } from '../args.ts'
import { EXIT_OK, type Command } from '../io.ts'

const ROLES = ['operator', 'auditor', 'viewer']
const MAX_TTL_S = 86_400

export const flags = {
  role: 'string',
  ttl: 'string',
  sub: 'string',
  'dev-vars': 'string',
  jurisdiction: 'multi',
} as const

export const help = `usage: aegis token --role operator|auditor|viewer [--ttl S] [--sub NAME] [--jurisdiction J]... [--dev-vars PATH]

Mint a development role token for the local collector and print it alone on stdout. Only a
worker trusting this dev-vars file's ACCESS_JWKS accepts it: never production (docs/access.md).

options:
  --role R           operator, auditor or viewer (operator > auditor > viewer)
  --ttl S            lifetime in seconds (1..86400, default 3600)
  --sub NAME         the token's subject (default dev-ROLE)
  --jurisdiction J   scope the token to jurisdiction J (eu, us, fedramp); may repeat; default
                     unscoped (docs/sovereignty.md)
  --dev-vars PATH    the dev-vars file with the dev keys (default the repo's .dev.vars, created
                     with fresh keys when missing)

example:
  export AEGIS_TOKEN=$(aegis token --role operator)
`

export const run: Command = async (argv, io) => {
  const f = parseFlags(argv, flags)
  if (f._.length > 0) throw new AegisError('ERR_USAGE', `unexpected argument '${f._[0]}'`)
  const role = required(f.role, 'role')
  if (!ROLES.includes(role))
    throw new AegisError('ERR_USAGE', `--role must be one of ${ROLES.join(', ')}`)
  const ttl = f.ttl === undefined ? 3600 : Number(f.ttl)
  if (!/^\d+$/.test(f.ttl ?? '3600') || !Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_TTL_S) {
    throw new AegisError('ERR_USAGE', `--ttl must be whole seconds between 1 and ${MAX_TTL_S}`)
  }
  const sub = f.sub ?? `dev-${role}`
  if (sub === '' || sub.length > 256)
    throw new AegisError('ERR_USAGE', '--sub must be 1 to 256 characters')

  for (const j of f.jurisdiction ?? []) {
    if (!['eu', 'us', 'fedramp'].includes(j))
      throw new AegisError('ERR_USAGE', '--jurisdiction must be eu, us or fedramp')
  }
  const file = f['dev-vars'] === undefined ? fileURLToPath(DEV_VARS) : resolve(f['dev-vars'])
  if (!existsSync(file)) io.stderr(`aegis token: creating ${file} with fresh development keys\n`)
  let vars: Record<string, string>
  try {
    vars = await ensureDevVars(file)
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read or create ${file}`, { cause })
  }
  const token = await mintDevToken(vars.DEV_ADMIN_JWKS, role as DevRole, {
    ttlSeconds: ttl,
    sub,
    source: file,
    ...(f.jurisdiction?.length ? { jurisdictions: f.jurisdiction } : {}),
  })
  io.stdout(token + '\n')
  return EXIT_OK
}
