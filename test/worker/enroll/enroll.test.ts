/**
 * Registrar in workerd with the real swtpm evidence from ../shared/vectors/tpm2-tools: every
 * rejection has its code and leaves no state; challenges are single use and expire. The happy
 * path through a real TPM activation is in test/node/enroll-swtpm.test.ts.
 */
import { env, exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import ekRsaPub from '@shared/vectors/tpm2-tools/ek-rsa.pub?bytes'
import ekEccPub from '@shared/vectors/tpm2-tools/ek-ecc.pub?bytes'
import ekRsaCert from '@shared/vectors/tpm2-tools/ek-rsa-cert.der?bytes'
import ekEccCert from '@shared/vectors/tpm2-tools/ek-ecc-cert.der?bytes'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import rootPem from '@shared/vectors/tpm2-tools/manufacturer-root.pem?raw'
import intermediatePem from '@shared/vectors/tpm2-tools/manufacturer-intermediate.pem?raw'
import otherRootPem from '../../vectors/x509/other-root.pem?raw'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromB64url, toB64url, toHex } from '../../../attest/bytes/encoding.ts'
import { TPMA_OBJECT } from '../../../attest/tpm/constants.ts'
import { marshalTpm2bPublic } from '../../../attest/tpm/marshal-public.ts'
import { decodeObjectAttributes } from '../../../attest/tpm/object-attributes.ts'
import { parseTpm2bPublic } from '../../../attest/tpm/public.ts'
import { pemToDer } from '../../../attest/x509/pem.ts'
import { authHeaders } from '../helpers/auth.ts'
import { ledgerExists, resetState } from '../helpers/reset.ts'
import { openChallenge } from '../../../worker/enroll/sealed-challenge.ts'

const SENSOR = { id: 'gnss:ublox-m8', firmware: 'fw-3.01' }
const rsaAgentId = toHex(sha256(parseTpm2bPublic(ekRsaPub).raw))

function enrollBody(over: Record<string, unknown> = {}) {
  return {
    ekPublic: toB64url(ekRsaPub),
    ekCert: toB64url(ekRsaCert),
    akPublic: toB64url(akEccPub),
    platform: { os: 'test' },
    locationSensor: SENSOR,
    ...over,
  }
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return exports.default.fetch(`http://collector${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function setTrust(roots: string[], intermediates: string[]) {
  const res = await exports.default.fetch('http://collector/v1/config/trust', {
    method: 'PUT',
    headers: await authHeaders('operator'),
    body: JSON.stringify({ value: { roots, intermediates } }),
  })
  expect(res.status).toBe(200)
}

async function setAllowlist(value: unknown) {
  const res = await exports.default.fetch('http://collector/v1/config/allowlist', {
    method: 'PUT',
    headers: await authHeaders('operator'),
    body: JSON.stringify({ value }),
  })
  expect(res.status).toBe(200)
}

/** Enrollment challenges are sealed into the reply: no ledger exists before an activation. */
async function pendingCount(agentId: string): Promise<number> {
  return (await ledgerExists(agentId)) ? 1 : 0
}

async function agentRows(): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM agents').first<{ n: number }>())!.n
}

function withAttributes(pub: Uint8Array, set: number, clear: number): Uint8Array {
  const p = parseTpm2bPublic(pub)
  const attributes = ((p.attributes | set) & ~clear) >>> 0
  return marshalTpm2bPublic({ ...p, attributes, attrs: decodeObjectAttributes(attributes) })
}

async function expectRejected(res: Response, status: number, code: string) {
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = (await res.json()) as { code: string; status: number }
  expect({ status: res.status, code: body.code }).toEqual({ status, code })
  expect(await agentRows()).toBe(0)
  expect(await pendingCount(rsaAgentId)).toBe(0)
}

const eccAgentId = toHex(sha256(parseTpm2bPublic(ekEccPub).raw))

describe('POST /v1/enroll', () => {
  beforeEach(async () => {
    await resetState([rsaAgentId, eccAgentId])
    await setTrust([rootPem], [intermediatePem])
  })

  it('issues a credential challenge for an RSA EK with a manufacturer-chained certificate', async () => {
    const res = await post('/v1/enroll', enrollBody())
    const body = (await res.json()) as Record<string, string>
    expect(res.status, JSON.stringify(body)).toBe(201)
    expect(body.agentId).toBe(rsaAgentId)
    expect(body.enrollmentId.startsWith(rsaAgentId + '.')).toBe(true)
    // TPM2B_ID_OBJECT: integrity HMAC (TPM2B_DIGEST, SHA-256) then the encrypted TPM2B_DIGEST secret
    expect(body.credentialBlob.length).toBeGreaterThan(40)
    // RSA-2048 EK: the OAEP-encrypted seed is one modulus long
    expect(fromB64url(body.encryptedSecret).length).toBeGreaterThanOrEqual(256)
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(4 * 60_000)
    // Stateless: the challenge is sealed into the reply, the agent's ledger is not created.
    expect(openChallenge(env, body.enrollmentId, fromB64url(body.challenge)).record.agentId).toBe(
      rsaAgentId,
    )
    expect(await pendingCount(rsaAgentId)).toBe(0)
    expect(await agentRows()).toBe(0)
  })

  it('issues a challenge for the P-384 EK (high-range template) with an RSA AK', async () => {
    const res = await post(
      '/v1/enroll',
      enrollBody({
        ekPublic: toB64url(ekEccPub),
        ekCert: toB64url(ekEccCert),
        akPublic: toB64url(akRsaPub),
      }),
    )
    expect(res.status).toBe(201)
  })

  it('takes the intermediate from the request (ekCertChain) and keeps the path for bundles', async () => {
    await setTrust([rootPem], [])
    const interDer = pemToDer(intermediatePem)
    await expectRejected(await post('/v1/enroll', enrollBody()), 403, 'ERR_CERT_CHAIN')
    const res = await post('/v1/enroll', enrollBody({ ekCertChain: [toB64url(interDer)] }))
    expect(res.status, await res.clone().text()).toBe(201)
    const body = (await res.json()) as Record<string, string>
    const { record } = openChallenge(env, body.enrollmentId!, fromB64url(body.challenge!))
    // The path's CAs above the EK certificate, anchor last: what the evidence bundle carries.
    expect(record.ekCertChain).toEqual([toB64url(interDer), toB64url(pemToDer(rootPem))])
  })

  it('never trusts a certificate the agent sent as an anchor', async () => {
    await setTrust([otherRootPem], [])
    const chain = [toB64url(pemToDer(intermediatePem)), toB64url(pemToDer(rootPem))]
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekCertChain: chain })),
      403,
      'ERR_CERT_CHAIN',
    )
    const nine = Array.from({ length: 9 }, () => chain[0])
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekCertChain: nine })),
      400,
      'ERR_INPUT_MALFORMED',
    )
  })

  it('rejects an EK certificate that does not chain to a configured root', async () => {
    await setTrust([otherRootPem], [intermediatePem])
    await expectRejected(await post('/v1/enroll', enrollBody()), 403, 'ERR_CERT_CHAIN')
  })

  it('rejects an EK certificate issued for another EK', async () => {
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekCert: toB64url(ekEccCert) })),
      403,
      'ERR_CERT_EK_MISMATCH',
    )
  })

  it('rejects an AK without fixedTPM, and an AK that can decrypt', async () => {
    const noFixed = withAttributes(akEccPub, 0, TPMA_OBJECT.fixedTPM)
    await expectRejected(
      await post('/v1/enroll', enrollBody({ akPublic: toB64url(noFixed) })),
      403,
      'ERR_AK_ATTRIBUTES',
    )
    const decrypt = withAttributes(akEccPub, TPMA_OBJECT.decrypt, 0)
    await expectRejected(
      await post('/v1/enroll', enrollBody({ akPublic: toB64url(decrypt) })),
      403,
      'ERR_AK_ATTRIBUTES',
    )
  })

  it('rejects an EK that is not a restricted decryption key', async () => {
    const ek = withAttributes(ekRsaPub, 0, TPMA_OBJECT.restricted)
    const res = await post('/v1/enroll', enrollBody({ ekPublic: toB64url(ek) }))
    expect(res.status).toBe(403)
    expect(((await res.json()) as { code: string }).code).toBe('ERR_EK_ATTRIBUTES')
  })

  it('enforces the EK allowlist when it is on', async () => {
    await setAllowlist({ enabled: true, ekPublicSha256: ['00'.repeat(32)], certSerials: [] })
    await expectRejected(await post('/v1/enroll', enrollBody()), 403, 'ERR_EK_NOT_ALLOWED')
    await setAllowlist({ enabled: true, ekPublicSha256: [rsaAgentId], certSerials: [] })
    expect((await post('/v1/enroll', enrollBody())).status).toBe(201)
  })

  it('requires a certificate unless the EK is allowlisted', async () => {
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekCert: undefined })),
      403,
      'ERR_CERT_CHAIN',
    )
  })

  it('rejects malformed input with stable codes and no state', async () => {
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekPublic: 'not base64url!' })),
      400,
      'ERR_INPUT_ENCODING',
    )
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekPublic: toB64url(ekRsaPub.subarray(0, 40)) })),
      400,
      'ERR_TPM_MALFORMED',
    )
    await expectRejected(
      await post('/v1/enroll', enrollBody({ extra: 1 })),
      400,
      'ERR_INPUT_MALFORMED',
    )
    await expectRejected(await post('/v1/enroll', '{"ekPublic":'), 400, 'ERR_INPUT_MALFORMED')
    await expectRejected(
      await post('/v1/enroll', enrollBody({ ekCert: toB64url(ekRsaCert.subarray(0, 100)) })),
      400,
      'ERR_CERT_MALFORMED',
    )
  })
})

describe('POST /v1/enroll/{id}/activate', () => {
  beforeEach(async () => {
    await resetState([rsaAgentId])
    await setTrust([rootPem], [intermediatePem])
  })

  async function challenge(): Promise<{ enrollmentId: string; challenge: string }> {
    const res = await post('/v1/enroll', enrollBody())
    expect(res.status).toBe(201)
    return (await res.json()) as { enrollmentId: string; challenge: string }
  }
  const quote = { attest: 'AA', signature: 'AA', pcrs: {} }

  it('rejects a wrong secret and stores nothing: the challenge is not burnt by a stranger', async () => {
    const ch = await challenge()
    const wrong = toB64url(new Uint8Array(32).fill(7))
    for (let i = 0; i < 2; i++) {
      const r = await post(`/v1/enroll/${ch.enrollmentId}/activate`, {
        secret: wrong,
        quote,
        challenge: ch.challenge,
      })
      expect(((await r.json()) as { code: string }).code).toBe('ERR_ENROLL_SECRET')
    }
    expect(await agentRows()).toBe(0)
    expect(await ledgerExists(rsaAgentId)).toBe(false)
  })

  it('refuses an expired challenge', async () => {
    const ch = await challenge()
    const later = Date.now() + 6 * 60_000
    expect(() => openChallenge(env, ch.enrollmentId, fromB64url(ch.challenge), later)).toThrowError(
      expect.objectContaining({ code: 'ERR_ENROLL_EXPIRED' }),
    )
  })

  it("refuses a challenge that is altered, another enrollment's, or missing", async () => {
    const ch = await challenge()
    const other = await challenge()
    const bytes = fromB64url(ch.challenge)
    bytes[20] = bytes[20]! ^ 1
    const secret = toB64url(new Uint8Array(32))
    for (const c of [toB64url(bytes), other.challenge]) {
      const res = await post(`/v1/enroll/${ch.enrollmentId}/activate`, {
        secret,
        quote,
        challenge: c,
      })
      expect(res.status).toBe(404)
      expect(((await res.json()) as { code: string }).code).toBe('ERR_ENROLL_NOT_FOUND')
    }
    const res = await post(`/v1/enroll/${ch.enrollmentId}/activate`, { secret, quote })
    expect(((await res.json()) as { code: string }).code).toBe('ERR_INPUT_MALFORMED')
  })

  it('refuses an unknown challenge id', async () => {
    const ch = await challenge()
    const res = await post(`/v1/enroll/${rsaAgentId}.AAAAAAAAAAAAAAAAAAAAAA/activate`, {
      secret: toB64url(new Uint8Array(32)),
      quote,
      challenge: ch.challenge,
    })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { code: string }).code).toBe('ERR_ENROLL_NOT_FOUND')
  })
})

describe('operator configuration access', () => {
  beforeEach(() => resetState())
  it('requires a token, and the operator role', async () => {
    const none = await exports.default.fetch('http://collector/v1/config/trust')
    expect(none.status).toBe(401)
    const viewer = await exports.default.fetch('http://collector/v1/config/trust', {
      headers: await authHeaders('viewer'),
    })
    expect(viewer.status).toBe(403)
    const op = await exports.default.fetch('http://collector/v1/config/trust', {
      headers: await authHeaders('operator'),
    })
    expect(op.status).toBe(200)
  })

  it('validates configuration documents', async () => {
    const res = await exports.default.fetch('http://collector/v1/config/trust', {
      method: 'PUT',
      headers: await authHeaders('operator'),
      body: JSON.stringify({
        value: {
          roots: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'],
          intermediates: [],
        },
      }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string; path: string }).path).toBe('$.roots[0]')
  })
})
