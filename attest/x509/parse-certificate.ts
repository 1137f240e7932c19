/**
 * Parses one DER X.509 certificate (RFC 5280 §4.1) into a Certificate: every TBSCertificate field,
 * the decoded extensions Aegis Edge uses, and the exact bytes needed to verify and match it.
 * Any decoding failure, from asn1js or from the profile checks here, is ERR_CERT_MALFORMED (the
 * asn1js error kept as `cause`). Checks here are structural: the outer and inner signature
 * algorithms must be identical (§4.1.1.2), extensions only in v3, issuer and subject names decode.
 * Leaves out issuer/subjectUniqueID contents (skipped) and every semantic check (validity, chain,
 * constraints): see verify-chain.ts. Input is the DER alone: strip EK NV padding first
 * (ek-cert-padding.ts), and decode PEM with pem.ts.
 */
import { bytesEqual, toHex } from '../bytes/encoding.ts'
import { AegisError } from '../errors.ts'
import { readPublicKey, readSignatureAlgorithm } from './algorithms.ts'
import {
  bitString,
  children,
  decodeDer,
  integerBytes,
  isContext,
  malformed,
  raw,
  sequence,
  smallInteger,
  time,
} from './der.ts'
import { readExtensions } from './extensions.ts'
import { nameToString, readName } from './name.ts'
import type { Certificate } from './types.ts'

/** Certificates larger than this are refused before decoding; real ones are a few KiB. */
const MAX_CERT_BYTES = 64 * 1024

export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw malformed('certificate')
  if (der.length > MAX_CERT_BYTES) throw malformed('certificate (too large)')
  try {
    return parse(der)
  } catch (e) {
    // Anything that is not already typed (a TypeError from an unexpected asn1js shape) is still a
    // malformed certificate from the caller's point of view.
    if (e instanceof AegisError) throw e
    throw malformed('certificate', e)
  }
}

function parse(der: Uint8Array): Certificate {
  const [tbsNode, sigAlgNode, sigNode, ...rest] = sequence(
    decodeDer(der, 'certificate'),
    'certificate',
  )
  if (rest.length || !tbsNode) throw malformed('certificate')
  const f = sequence(tbsNode, 'tbsCertificate')
  let i = 0
  let version = 1
  if (isContext(f[0], 0, true)) {
    const [v, ...extra] = children(f[i++], 'version')
    if (extra.length) throw malformed('version')
    version = smallInteger(v, 'version') + 1
    // DER omits the DEFAULT v1; an explicit v1 is BER.
    if (version < 2 || version > 3) throw malformed('version')
  }
  const serialBytes = integerBytes(f[i++], 'serialNumber')
  const innerSigAlg = f[i++]
  const issuerNode = f[i++]
  const validity = sequence(f[i++], 'validity')
  const subjectNode = f[i++]
  const spkiNode = f[i++]
  if (!innerSigAlg || !issuerNode || !subjectNode || !spkiNode) throw malformed('tbsCertificate')
  if (validity.length !== 2) throw malformed('validity')
  // issuerUniqueID [1] and subjectUniqueID [2] (v2+), then extensions [3] (v3 only).
  if (isContext(f[i], 1, false) && version >= 2) i++
  if (isContext(f[i], 2, false) && version >= 2) i++
  let extNode
  if (isContext(f[i], 3, true)) {
    if (version !== 3) throw malformed('extensions in a pre-v3 certificate')
    const [e, ...extra] = children(f[i++], 'extensions')
    if (extra.length) throw malformed('extensions')
    extNode = e
  }
  if (i !== f.length) throw malformed('tbsCertificate (unexpected fields)')
  if (!sigAlgNode || !bytesEqual(raw(innerSigAlg), raw(sigAlgNode))) {
    throw malformed('certificate (signature algorithm differs from tbsCertificate.signature)')
  }
  const sig = bitString(sigNode, 'signatureValue')
  if (sig.unusedBits) throw malformed('signatureValue')
  const issuer = readName(issuerNode, 'issuer')
  const subject = readName(subjectNode, 'subject')
  // Serial: two's complement as encoded; a sign-only leading zero is dropped so "00 88" reads 88.
  const serial =
    serialBytes.length > 1 && serialBytes[0] === 0 ? serialBytes.subarray(1) : serialBytes
  return {
    der: der.slice(),
    version,
    serial: toHex(serial),
    issuer: nameToString(issuer),
    issuerRaw: raw(issuerNode),
    subject: nameToString(subject),
    subjectRaw: raw(subjectNode),
    notBefore: time(validity[0], 'notBefore'),
    notAfter: time(validity[1], 'notAfter'),
    spki: raw(spkiNode),
    publicKey: readPublicKey(spkiNode, 'subjectPublicKeyInfo'),
    signatureAlgorithm: readSignatureAlgorithm(sigAlgNode, 'signatureAlgorithm'),
    tbs: raw(tbsNode),
    signature: sig.bytes,
    ...readExtensions(extNode),
  }
}
