/**
 * Trust material for offline verification commands: certificates from files or directories
 * (PEM bundles or DER; in a directory only *.pem, *.crt, *.cer, *.der), split into roots
 * (self-issued) and intermediates, since vendor bundles usually hold both. Also reads files and
 * parses --at times the same way for every command.
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
      throw new AegisError('ERR_TRUST_ROOTS', `${flag}: ${file} does not hold certificates`, { cause })
    }
  })
}

/** Roots (self-issued) and intermediates from --roots paths plus optional --intermediates. */
export function loadTrust(rootPaths: string[], intermediatePaths: string[] = []): {
  roots: Certificate[]
  intermediates: Certificate[]
} {
  const fromRoots = rootPaths.flatMap((p) => certificatesIn(p, '--roots'))
  if (fromRoots.length === 0) throw new AegisError('ERR_TRUST_ROOTS', 'no certificates found in --roots')
  const roots = fromRoots.filter((c) => bytesEqual(c.subjectRaw, c.issuerRaw))
  if (roots.length === 0) throw new AegisError('ERR_TRUST_ROOTS', 'no self-issued (root) certificate in --roots')
  return {
    roots,
    intermediates: [
      ...fromRoots.filter((c) => !bytesEqual(c.subjectRaw, c.issuerRaw)),
      ...intermediatePaths.flatMap((p) => certificatesIn(p, '--intermediates')),
    ],
  }
}

export function parseAt(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined
  const at = new Date(v)
  if (!ISO_TIME.test(v) || Number.isNaN(at.getTime())) {
    throw new AegisError('ERR_USAGE', `--at must be an ISO 8601 time, got '${v}'`)
  }
  return at
}
