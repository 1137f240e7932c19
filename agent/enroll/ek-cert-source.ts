/**
 * EK certificates that are not in the TPM's NV: many firmware TPMs (Intel PTT, AMD fTPM) have
 * their EK certificate issued by the vendor's online service instead. Two sources:
 *  - a file the operator obtained (`--ek-cert FILE`): PEM (a bundle: the EK certificate and the
 *    CA certificates above it, in any order) or DER (one certificate, NV padding allowed);
 *  - a URL (`--ek-cert-url URL`) fetched once at enrollment. `{ekhash}` in it is replaced by the
 *    key the Intel (https://ekop.intel.com/ekcertservice/{ekhash}) service is indexed by, as
 *    tpm2_getekcertificate computes it: base64 of SHA-256(modulus || exponent as 3 bytes) for RSA
 *    EKs, SHA-256(x || y) for ECC, URL-encoded. The answer may be DER, PEM or JSON with a
 *    base64/base64url `certificate` member. (Checked here against a local server only: the vendor
 *    services cannot be reached from the machines this was built on.)
 * Either way the EK certificate must certify this TPM's EK (ERR_CERT_EK_MISMATCH) before anything
 * is sent; an unreachable or failing service is ERR_EK_CERT_UNAVAILABLE.
 */
import { readFileSync } from 'node:fs'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromB64url } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { stripEkCertPadding } from '../../attest/x509/ek-cert-padding.ts'
import { assertEkCertMatches } from '../../attest/x509/ek-match.ts'
import { parseCertificate } from '../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../attest/x509/pem.ts'

export interface EkCertMaterial {
  /** The EK certificate DER. */
  cert: Uint8Array
  /** CA certificates that came with it (DER), for the collector's path building. */
  chain: Uint8Array[]
}

function fromBytes(bytes: Uint8Array, ek: TpmPublic, source: string): EkCertMaterial {
  const text = new TextDecoder().decode(bytes)
  let ders: Uint8Array[]
  try {
    if (text.includes('-----BEGIN')) ders = parsePemBundle(text)
    else if (text.trimStart().startsWith('{')) {
      const c = (JSON.parse(text) as { certificate?: unknown }).certificate
      if (typeof c !== 'string') throw new Error('no "certificate" member')
      ders = [
        stripEkCertPadding(
          fromB64url(c.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
        ),
      ]
    } else ders = [stripEkCertPadding(bytes)]
  } catch (cause) {
    throw new AegisError('ERR_CERT_MALFORMED', `${source} does not hold an EK certificate`, {
      cause,
    })
  }
  const certs = ders.map((d) => parseCertificate(d))
  const leaf = certs.find((c) => !c.basicConstraints?.cA)
  if (!leaf) throw new AegisError('ERR_CERT_MALFORMED', `${source} holds only CA certificates`)
  assertEkCertMatches(leaf, ek)
  return {
    cert: leaf.der,
    chain: certs.filter((c) => c !== leaf).map((c) => c.der),
  }
}

export function ekCertFromFile(file: string, ek: TpmPublic): EkCertMaterial {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(file))
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read --ek-cert ${file}`, { cause })
  }
  return fromBytes(bytes, ek, file)
}

/** The {ekhash} of the vendor services (see the header). */
export function ekServiceHash(ek: TpmPublic): string {
  const e =
    ek.type === 'rsa'
      ? Uint8Array.of(ek.exponent >> 16, (ek.exponent >> 8) & 255, ek.exponent & 255)
      : undefined
  const material = ek.type === 'rsa' ? [ek.modulus, e!] : [ek.x, ek.y]
  const h = sha256.create()
  for (const m of material) h.update(m)
  return encodeURIComponent(btoa(String.fromCharCode(...h.digest())))
}

export async function ekCertFromUrl(
  template: string,
  ek: TpmPublic,
  timeoutMs = 15_000,
): Promise<EkCertMaterial> {
  const url = template.replace('{ekhash}', ekServiceHash(ek))
  let res: Response
  let body: Uint8Array
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    body = new Uint8Array(await res.arrayBuffer())
  } catch (cause) {
    throw new AegisError(
      'ERR_EK_CERT_UNAVAILABLE',
      `the EK certificate service ${new URL(url).origin} is unreachable: ${(cause as Error).message}`,
      { cause, detail: { url } },
    )
  }
  if (!res.ok) {
    throw new AegisError(
      'ERR_EK_CERT_UNAVAILABLE',
      `the EK certificate service answered HTTP ${res.status}`,
      {
        detail: { url, status: res.status },
      },
    )
  }
  return fromBytes(body, ek, url)
}
