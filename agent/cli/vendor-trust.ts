/**
 * The curated TPM vendor CA set shipped in trust/tpm-vendors (manifest.json + one PEM per CA) and
 * the operator API calls of `aegis trust show|import`. Vendors are picked by name; each picked
 * certificate goes to the trust config as a root when the manifest says `root` (the top of that
 * vendor's hierarchy in the set) and as an intermediate otherwise, so paths are validated up to
 * the vendor root. Unknown vendor names are usage errors, listing the known ones.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { AegisError } from '../../attest/errors.ts'
import { parseCertificate } from '../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../attest/x509/pem.ts'

export const DEFAULT_VENDOR_DIR = fileURLToPath(new URL('../../trust/tpm-vendors', import.meta.url))

export interface VendorCert {
  file: string
  vendor: string
  role: 'root' | 'intermediate'
  subject: string
  sha256: string
  pem: string
}

export interface TrustConfig {
  roots: string[]
  intermediates: string[]
}

export function readVendorSet(dir: string = DEFAULT_VENDOR_DIR): VendorCert[] {
  let manifest: { certificates: Omit<VendorCert, 'pem'>[] }
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read ${dir}/manifest.json`, {
      cause,
    })
  }
  return manifest.certificates.map((e) => {
    const pem = readFileSync(path.join(dir, e.file), 'utf8')
    // The manifest is the contract: a file that changed since it was curated is refused.
    const der = parsePemBundle(pem)[0]
    if (!der || createHash('sha256').update(der).digest('hex') !== e.sha256) {
      throw new AegisError('ERR_TRUST_ROOTS', `${e.file} does not match its manifest SHA-256`)
    }
    return { ...e, pem }
  })
}

export function pickVendors(set: VendorCert[], names: string[]): TrustConfig {
  const known = [...new Set(set.map((c) => c.vendor))].sort()
  const unknown = names.filter((n) => !known.includes(n))
  if (names.length === 0 || unknown.length > 0) {
    throw new AegisError(
      'ERR_USAGE',
      `${unknown.length ? `unknown vendor '${unknown[0]}'` : 'no vendor given'}; known: ${known.join(', ')}`,
    )
  }
  const picked = set.filter((c) => names.includes(c.vendor))
  return {
    roots: picked.filter((c) => c.role === 'root').map((c) => c.pem),
    intermediates: picked.filter((c) => c.role === 'intermediate').map((c) => c.pem),
  }
}

/** Union of two configs, each certificate once (compared by DER). */
export function mergeTrust(a: TrustConfig, b: TrustConfig): TrustConfig {
  const seen = new Set<string>()
  const keep = (list: string[]) =>
    list.filter((pem) => {
      const k = parsePemBundle(pem)
        .map((d) => createHash('sha256').update(d).digest('hex'))
        .join()
      if (seen.has(k)) return false
      seen.add(k)
      return true
    })
  const roots = keep([...a.roots, ...b.roots])
  return {
    roots,
    intermediates: keep([...a.intermediates, ...b.intermediates]),
  }
}

/** One line per certificate: role, vendor (by SHA-256 in the shipped set) or '-', subject. */
export function describeTrust(cfg: TrustConfig, set: VendorCert[]): string[] {
  const bySha = new Map(set.map((c) => [c.sha256, c.vendor]))
  const line = (role: string) => (pem: string) =>
    parsePemBundle(pem).map((der) => {
      const sha = createHash('sha256').update(der).digest('hex')
      const c = parseCertificate(der)
      return `${role.padEnd(12)} ${(bySha.get(sha) ?? '-').padEnd(10)} ${c.subject}`
    })
  return [...cfg.roots.flatMap(line('root')), ...cfg.intermediates.flatMap(line('intermediate'))]
}

/** GET/PUT /v1/config/trust with an operator token; problem+json answers keep their code. */
export async function trustApi(
  collector: string,
  token: string,
  method: 'GET' | 'PUT',
  value?: TrustConfig,
): Promise<{ value: TrustConfig | null; version: number }> {
  let url: URL
  try {
    url = new URL('/v1/config/trust', collector)
  } catch (cause) {
    throw new AegisError('ERR_USAGE', `--collector '${collector}' is not a URL`, { cause })
  }
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: value ? JSON.stringify({ value }) : undefined,
      signal: AbortSignal.timeout(30_000),
    })
  } catch (cause) {
    throw new AegisError('ERR_COLLECTOR', `collector unreachable: ${(cause as Error).message}`, {
      cause,
    })
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>
  if (!res.ok) {
    const code =
      typeof body.code === 'string' && body.code.startsWith('ERR_') ? body.code : 'ERR_COLLECTOR'
    throw new AegisError(
      code as 'ERR_COLLECTOR',
      `collector answered HTTP ${res.status}: ${body.detail ?? body.title ?? ''}`,
    )
  }
  return {
    value: (body.value as TrustConfig | null) ?? null,
    version: Number(body.version ?? 0),
  }
}

export function operatorToken(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): string {
  const t = flag ?? env.AEGIS_TOKEN
  if (!t) throw new AegisError('ERR_USAGE', 'an operator token is required: --token or AEGIS_TOKEN')
  return t
}
