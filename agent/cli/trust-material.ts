/**
 * Trust material for offline verification commands: certificates from files or directories
 * (PEM bundles or DER; in a directory only *.pem, *.crt, *.cer, *.der). Every certificate given
 * with --roots is a trust anchor, self-signed or not (RFC 5280 §6.1.1 (d); what `openssl verify
 * -partial_chain` does): a vendor root cross-signed by another CA, or a vendor intermediate, is
 * trusted because the operator named it. --intermediates only helps build paths. Also reads
 * files and parses --at times the same way for every command.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { bytesEqual } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'
import { parseCertificate } from '../../attest/x509/parse-certificate.ts'
import { parsePemBundle } from '../../attest/x509/pem.ts'
import type { Certificate } from '../../attest/x509/types.ts'

const CERT_FILE = /\.(pem|crt|cer|der)$/i
// Expanded years (+010000-...) let a test ask about times past 9999.
const ISO_TIME =
  /^([+-]\d{6}|\d{4})-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/

export function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file))
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read ${file}`, { cause })
  }
}

/** Every certificate in a file (PEM bundle or DER) or in the certificate files of a directory. */
export function certificatesIn(p: string, flag: string): Certificate[] {
  let files: string[]
  try {
    files = statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((n) => CERT_FILE.test(n))
          .sort()
          .map((n) => path.join(p, n))
      : [p]
  } catch (cause) {
    throw new AegisError('ERR_IO', `cannot read ${p}`, { cause })
  }
  return files.flatMap((file) => {
    const bytes = readInput(file)
    try {
      const text = new TextDecoder().decode(bytes)
      const ders = text.includes('-----BEGIN') ? parsePemBundle(text) : [bytes]
      return ders.map((d) => parseCertificate(d))
    } catch (cause) {
      throw new AegisError('ERR_TRUST_ROOTS', `${flag}: ${file} does not hold certificates`, {
        cause,
      })
    }
  })
}

/** Trust anchors from --roots paths, and path-building help from --intermediates. */
export function loadTrust(
  rootPaths: string[],
  intermediatePaths: string[] = [],
): {
  roots: Certificate[]
  intermediates: Certificate[]
} {
  const roots = dedupe(rootPaths.flatMap((p) => certificatesIn(p, '--roots')))
  if (roots.length === 0)
    throw new AegisError('ERR_TRUST_ROOTS', 'no certificates found in --roots')
  return {
    roots,
    intermediates: dedupe(intermediatePaths.flatMap((p) => certificatesIn(p, '--intermediates'))),
  }
}

function dedupe(list: Certificate[]): Certificate[] {
  return list.filter((c, i) => list.findIndex((d) => bytesEqual(d.der, c.der)) === i)
}

export function parseAt(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined
  const at = new Date(v)
  if (!ISO_TIME.test(v) || Number.isNaN(at.getTime())) {
    throw new AegisError('ERR_USAGE', `--at must be an ISO 8601 time, got '${v}'`)
  }
  return at
}
