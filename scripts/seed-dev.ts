/**
 * Development seeding through the operator API (the same path an operator uses): trust the local
 * software TPM's manufacturer CA (swtpm-localca, created by the first `swtpm_setup`) unless trust
 * roots are already configured. Production is never seeded: it starts with no trust (deny).
 */
import { existsSync, readFileSync } from 'node:fs'

export const SWTPM_LOCALCA_DIR = process.env.AEGIS_SWTPM_LOCALCA ?? '/var/lib/swtpm-localca'

export async function seedDevConfig(
  url: string,
  operatorToken: string,
): Promise<{ trust: 'seeded' | 'kept' | 'no-local-ca' }> {
  const headers = { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' }
  const cur = (await (await fetch(`${url}/v1/config/trust`, { headers })).json()) as {
    source?: string
  }
  if (cur.source === 'operator') return { trust: 'kept' }
  const root = `${SWTPM_LOCALCA_DIR}/swtpm-localca-rootca-cert.pem`
  const issuer = `${SWTPM_LOCALCA_DIR}/issuercert.pem`
  if (!existsSync(root) || !existsSync(issuer)) return { trust: 'no-local-ca' }
  const res = await fetch(`${url}/v1/config/trust`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({
      value: { roots: [readFileSync(root, 'utf8')], intermediates: [readFileSync(issuer, 'utf8')] },
    }),
  })
  if (!res.ok) throw new Error(`seeding trust roots failed: HTTP ${res.status} ${await res.text()}`)
  return { trust: 'seeded' }
}
