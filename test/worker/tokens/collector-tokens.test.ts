/**
 * Receipts, EAR attestation tokens and signed tree heads: each verifies with plain jose against
 * the key set GET /.well-known/jwks.json publishes, carries its own `typ`, and holds exactly the
 * claims documented in docs/keys.md. Inputs of the wrong shape are refused (ERR_INTERNAL).
 */
import { earFormat } from '../../../worker/enroll/agent-token.ts'
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose'
import { describe, expect, it } from 'vitest'
import { fromB64url } from '../../../attest/bytes/encoding.ts'
import type { TpmPublic } from '../../../attest/tpm/types.ts'
import { akPublicJwk, akThumbprint } from '../../../worker/tokens/ak-thumbprint.ts'
import {
  EAR_PROFILE,
  EAR_PROFILE_VERAISON,
  EAR_TYP,
  issueAttestationResult,
  type AttestationResultInput,
} from '../../../worker/tokens/issue-attestation-result.ts'
import { RECEIPT_TYP, signReceipt } from '../../../worker/tokens/sign-receipt.ts'
import { signTreeHead, TREE_HEAD_TYP } from '../../../worker/tokens/sign-tree-head.ts'
import { bindings } from '../auth/mint.ts'
import { publishedKeys } from './keys.ts'
import { codeAsync } from '../../helpers/error-code.ts'

const env = { COLLECTOR_SIGNING_JWKS: bindings.COLLECTOR_SIGNING_JWKS }
const kid = (JSON.parse(bindings.COLLECTOR_SIGNING_JWKS) as { keys: { kid: string }[] }).keys[0]!
  .kid
const agentId = '0f'.repeat(32)
const batchId = 'a1'.repeat(32)

describe('signReceipt', () => {
  it('is an ES256 compact JWS over exactly {batchId, agentId, verdict, zone, iat}', async () => {
    const { keySet } = await publishedKeys(env)
    const jws = await signReceipt(env, {
      batchId,
      agentId,
      verdict: 'accepted',
      zone: 'berlin-1',
      iat: 1_800_000_000,
    })
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', typ: RECEIPT_TYP, kid })
    const { payload } = await compactVerify(jws, keySet)
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
      batchId,
      agentId,
      verdict: 'accepted',
      zone: 'berlin-1',
      iat: 1_800_000_000,
    })
    await expect(jwtVerify(jws, keySet, { typ: RECEIPT_TYP })).resolves.toBeTruthy()
  })

  it('names the signing key of its own key set, sets interleaved (the header is kept per key)', async () => {
    const { privateJwk, keyEnv } = await import('./keys.ts')
    const envs = [keyEnv(await privateJwk('rot-a')), keyEnv(await privateJwk('rot-b'))]
    const sets = await Promise.all(envs.map(async (e) => (await publishedKeys(e)).keySet))
    for (let round = 0; round < 2; round++) {
      for (const [i, e] of envs.entries()) {
        const jws = await signReceipt(e, { batchId, agentId, verdict: 'accept', zone: null })
        expect(decodeProtectedHeader(jws)).toEqual({
          alg: 'ES256',
          typ: RECEIPT_TYP,
          kid: i === 0 ? 'rot-a' : 'rot-b',
        })
        await expect(compactVerify(jws, sets[i]!)).resolves.toBeTruthy()
        await expect(compactVerify(jws, sets[1 - i]!)).rejects.toThrow()
      }
    }
  })

  it('defaults iat to now and keeps a null zone', async () => {
    const { keySet } = await publishedKeys(env)
    const now = Math.floor(Date.now() / 1000)
    const { payload } = await jwtVerify(
      await signReceipt(env, { batchId, agentId, verdict: 'accepted', zone: null }),
      keySet,
    )
    expect(payload.zone).toBeNull()
    expect(Math.abs(payload.iat! - now)).toBeLessThanOrEqual(5)
  })

  it.each([
    ['uppercase batchId', { batchId: batchId.toUpperCase() }],
    ['short agentId', { agentId: 'ab' }],
    ['empty verdict', { verdict: '' }],
    ['fractional iat', { iat: 1.5 }],
    ['control characters in zone', { zone: 'a\nb' }],
  ])('refuses %s', async (_n, bad) => {
    const claims = { batchId, agentId, verdict: 'accepted', zone: 'z', ...bad }
    expect(await codeAsync(signReceipt(env, claims))).toBe('ERR_INTERNAL')
  })
})

describe('issueAttestationResult', () => {
  const base: AttestationResultInput = {
    agentId,
    trustDomain: 'aegis.dev.local',
    akThumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    ekCertHash: 'ee'.repeat(32),
    akName: '000b' + '11'.repeat(32),
    pcrDigest: '22'.repeat(32),
    executablesAppraisedBy: 'golden',
    policyId: 'pcr-policy/3',
    zone: 'berlin-1',
    sensorId: 'gnss-7',
    ttlSeconds: 600,
    iat: 1_800_000_000,
  }

  it('affirms executables only when an event-log or golden policy judged the boot', async () => {
    const { keySet } = await publishedKeys(env)
    const vector = async (input: AttestationResultInput) => {
      const { payload } = await jwtVerify(await issueAttestationResult(env, input), keySet, {
        currentDate: new Date(1_800_000_100_000),
      })
      return (payload.submods as Record<string, Record<string, unknown>>)['aegis-agent']![
        'ear_trustworthiness_vector'
      ]
    }
    const { executablesAppraisedBy: _, ...pinnedOnly } = base
    expect(await vector(pinnedOnly)).toEqual({ 'instance-identity': 2, hardware: 2 })
    expect(await vector({ ...base, executablesAppraisedBy: 'event-log' })).toEqual({
      'instance-identity': 2,
      hardware: 2,
      executables: 3,
    })
  })

  it('is an EAR JWT that verifies against the published keys', async () => {
    const { keySet } = await publishedKeys(env)
    const jwt = await issueAttestationResult(env, base)
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', typ: EAR_TYP, kid })
    const { payload } = await jwtVerify(jwt, keySet, {
      typ: EAR_TYP,
      issuer: 'spiffe://aegis.dev.local/collector',
      subject: `spiffe://aegis.dev.local/agent/${agentId}`,
      currentDate: new Date(1_800_000_100_000),
    })
    const { jti, ...rest } = payload
    expect(jti).toMatch(/^[0-9a-f-]{36}$/)
    expect(rest).toEqual({
      eat_profile: EAR_PROFILE,
      iss: 'spiffe://aegis.dev.local/collector',
      sub: `spiffe://aegis.dev.local/agent/${agentId}`,
      iat: 1_800_000_000,
      exp: 1_800_000_600,
      ear_verifier_id: {
        developer: 'https://aegis-edge.dev',
        build: 'aegis-edge-collector/0.1.0',
      },
      cnf: { jkt: base.akThumbprint },
      submods: {
        'aegis-agent': {
          ear_status: 'affirming',
          ear_trustworthiness_vector: { 'instance-identity': 2, hardware: 2, executables: 3 },
          ear_appraisal_policy_ids: ['pcr-policy/3'],
        },
      },
      por: {
        ekCertHash: base.ekCertHash,
        akName: base.akName,
        pcrDigest: base.pcrDigest,
        policyId: 'pcr-policy/3',
      },
      pog: { zone: 'berlin-1', sensorId: 'gnss-7' },
    })
  })

  it('takes the Veraison library form on request: its profile and dotted claim names', async () => {
    const { keySet } = await publishedKeys(env)
    const { payload } = await jwtVerify(
      await issueAttestationResult(env, { ...base, format: 'veraison' }),
      keySet,
      {
        currentDate: new Date(1_800_000_100_000),
      },
    )
    expect(payload.eat_profile).toBe(EAR_PROFILE_VERAISON)
    expect(payload['ear.verifier-id']).toEqual({
      developer: 'https://aegis-edge.dev',
      build: 'aegis-edge-collector/0.1.0',
    })
    expect(payload).not.toHaveProperty('ear_verifier_id')
    expect((payload.submods as Record<string, unknown>)['aegis-agent']).toEqual({
      'ear.status': 'affirming',
      'ear.trustworthiness-vector': { 'instance-identity': 2, hardware: 2, executables: 3 },
      'ear.appraisal-policy-id': 'pcr-policy/3',
    })
    await expect(
      issueAttestationResult(env, { ...base, format: 'cbor' as never }),
    ).rejects.toMatchObject({
      code: 'ERR_INTERNAL',
    })
  })

  it('EAR_FORMAT picks the form: draft by default, veraison on request, anything else refused', () => {
    expect(earFormat({})).toBe('draft')
    expect(earFormat({ EAR_FORMAT: 'veraison' })).toBe('veraison')
    expect(() => earFormat({ EAR_FORMAT: 'Veraison' })).toThrow(
      expect.objectContaining({ code: 'ERR_INTERNAL' }),
    )
  })

  it('expires after ttlSeconds', async () => {
    const { keySet } = await publishedKeys(env)
    const jwt = await issueAttestationResult(env, base)
    await expect(
      jwtVerify(jwt, keySet, { currentDate: new Date(1_800_000_601_000) }),
    ).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    })
  })

  it('claims only what was appraised: no EK cert, no quote, no location', async () => {
    const { keySet } = await publishedKeys(env)
    const { ekCertHash: _e, pcrDigest: _p, zone: _z, sensorId: _s, iat: _i, ...minimal } = base
    const { payload } = await jwtVerify(await issueAttestationResult(env, minimal), keySet)
    const sub = (payload.submods as Record<string, Record<string, unknown>>)['aegis-agent']!
    expect(sub.ear_trustworthiness_vector).toEqual({ 'instance-identity': 2 })
    expect(payload.por).toEqual({ akName: base.akName, policyId: base.policyId })
    expect(payload).not.toHaveProperty('pog')
    expect(payload.exp! - payload.iat!).toBe(600)
  })

  it.each([
    ['a bad agentId', { agentId: 'xyz' }],
    ['a trust domain with a slash', { trustDomain: 'evil/agent' }],
    ['an uppercase trust domain', { trustDomain: 'Aegis.dev' }],
    ['a hex akThumbprint', { akThumbprint: 'ab'.repeat(32) }],
    ['a zero ttl', { ttlSeconds: 0 }],
    ['a ttl over a day', { ttlSeconds: 86_401 }],
    ['a non-hex akName', { akName: 'name' }],
    ['an empty policyId', { policyId: '' }],
    ['a short ekCertHash', { ekCertHash: 'ee' }],
  ])('refuses %s', async (_n, bad) => {
    expect(await codeAsync(issueAttestationResult(env, { ...base, ...bad }))).toBe('ERR_INTERNAL')
  })
})

describe('signTreeHead', () => {
  it('is a compact JWS over {treeSize, rootHash, timestamp}', async () => {
    const { keySet } = await publishedKeys(env)
    const sth = {
      treeSize: 42,
      rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      timestamp: 1_800_000_000_123,
    }
    const jws = await signTreeHead(env, sth)
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', typ: TREE_HEAD_TYP, kid })
    const { payload } = await compactVerify(jws, keySet)
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(sth)
  })

  it('refuses a negative size or a malformed root', async () => {
    const ok = { treeSize: 1, rootHash: '00'.repeat(32), timestamp: 1 }
    expect(await codeAsync(signTreeHead(env, { ...ok, treeSize: -1 }))).toBe('ERR_INTERNAL')
    expect(await codeAsync(signTreeHead(env, { ...ok, rootHash: '00'.repeat(20) }))).toBe(
      'ERR_INTERNAL',
    )
  })
})

describe('akThumbprint (cnf.jkt)', () => {
  const rsa = (modulus: Uint8Array, exponent: number) =>
    ({ type: 'rsa', modulus, exponent }) as unknown as TpmPublic
  const ecc = (curve: string, x: Uint8Array, y: Uint8Array) =>
    ({ type: 'ecc', curve, x, y }) as unknown as TpmPublic

  it('matches the RFC 7638 §3.1 example (RSA, e = 65537)', async () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw'
    const modulus = fromB64url(n)
    expect(await akThumbprint(rsa(modulus, 65537))).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    )
    // A leading zero octet in the TPM's buffer does not change the key, so not the thumbprint.
    const padded = new Uint8Array(modulus.length + 1)
    padded.set(modulus, 1)
    expect(await akThumbprint(rsa(padded, 65537))).toBe(
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    )
  })

  it('equals the thumbprint of the same P-256 key exported by WebCrypto', async () => {
    const kp = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(kp.publicKey)
    const ak = ecc('P-256', fromB64url(jwk.x!), fromB64url(jwk.y!))
    expect(await akThumbprint(ak)).toBe(await calculateJwkThumbprint(jwk))
  })

  it('left-pads short EC coordinates to the field size', () => {
    const jwk = akPublicJwk(ecc('P-384', Uint8Array.of(1, 2), Uint8Array.of(3)))
    expect(fromB64url(jwk.x!)).toHaveLength(48)
    expect(Array.from(fromB64url(jwk.x!).slice(-3))).toEqual([0, 1, 2])
    expect(fromB64url(jwk.y!)).toHaveLength(48)
  })

  it('encodes a non-default RSA exponent minimally', () => {
    expect(akPublicJwk(rsa(Uint8Array.of(1, 2, 3), 3)).e).toBe('Aw')
    expect(akPublicJwk(rsa(Uint8Array.of(1, 2, 3), 65537)).e).toBe('AQAB')
  })
})
