/**
 * Credential activation against a freshly provisioned swtpm, with blobs made independently by
 * `tpm2_makecredential -T none -e EK.pub -s SECRET -n AKNAMEHEX -o BLOB` for the RSA-2048 EK and
 * the P-384 high-range EK. tpm2-tools' BLOB file is u32 magic 0xBADCC0DE, u32 version 1, then
 * TPM2B_ID_OBJECT then TPM2B_ENCRYPTED_SECRET (size prefixes included): the two byte strings
 * activateCredential takes by default; the collector's own makeCredential (attest/credential)
 * returns the same two structures without the outer size, taken with form 'body'. The EK policy
 * digests from shared/notes/tpm-on-swtpm.md are checked
 * both by computation and by TPM2_PolicyGetDigest on the TPM.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { concat, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { ByteReader } from '../../../attest/bytes/reader.ts'
import { ByteWriter } from '../../../attest/bytes/writer.ts'
import { digest } from '../../../attest/crypto/hash.ts'
import { AegisError } from '../../../attest/errors.ts'
import { makeCredential as collectorMake } from '../../../attest/credential/make-credential.ts'
import { activateCredential } from '../../../agent/tpm/activate.ts'
import { ensureAttestationKey } from '../../../agent/tpm/ak.ts'
import { TPM_CC } from '../../../agent/tpm/constants.ts'
import { TPM_RH } from '../../../attest/tpm/constants.ts'
import { getEndorsementKey, type EndorsementKey } from '../../../agent/tpm/ek.ts'
import { PASSWORD } from '../../../agent/tpm/framing/command-types.ts'
import { RC, rcBase } from '../../../agent/tpm/response-code.ts'
import {
  POLICY_A_SHA384,
  POLICY_B_SHA384,
  POLICY_OR_SHA384,
  POLICY_SECRET_ENDORSEMENT_SHA256,
} from '../../../agent/tpm/templates/ek-templates.ts'
import { startSwtpm, type Swtpm } from '../helpers/swtpm.ts'
import { expectNothingLoaded, rawTool, withTpm } from './fixtures.ts'

const SECRET = utf8('aegis-edge-activation-secret-32b')

async function failure(p: Promise<unknown>): Promise<AegisError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(AegisError)
  return e as AegisError
}

/** Split tpm2_makecredential's output file into TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET. */
function splitToolsBlob(file: Uint8Array): {
  credentialBlob: Uint8Array
  encryptedSecret: Uint8Array
} {
  const r = new ByteReader(file, 'tpm2-tools credential file')
  expect(r.u32()).toBe(0xbadcc0de)
  expect(r.u32()).toBe(1)
  const id = r.sized()
  const secret = r.sized()
  r.end()
  return {
    credentialBlob: new ByteWriter().sized(id).finish(),
    encryptedSecret: new ByteWriter().sized(secret).finish(),
  }
}

describe('credential activation on swtpm', () => {
  let sw: Swtpm
  let dir: string
  const file = (n: string) => path.join(dir, n)
  const eks: Partial<Record<'rsa' | 'ecc', EndorsementKey>> = {}
  let akName: Uint8Array
  let rsaAkName: Uint8Array

  function makeCredential(kind: 'rsa' | 'ecc', name: Uint8Array, secret = SECRET) {
    writeFileSync(file(`ek-${kind}.pub`), eks[kind]!.public)
    writeFileSync(file('secret'), secret)
    rawTool(sw, 'tpm2_makecredential', [
      '-T',
      'none',
      '-e',
      file(`ek-${kind}.pub`),
      '-s',
      file('secret'),
      '-n',
      toHex(name),
      '-o',
      file(`blob-${kind}`),
    ])
    return splitToolsBlob(readFileSync(file(`blob-${kind}`)))
  }

  beforeAll(async () => {
    sw = await startSwtpm()
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-activate-'))
    await withTpm(sw, async (tpm) => {
      eks.rsa = await getEndorsementKey(tpm, 'rsa')
      eks.ecc = await getEndorsementKey(tpm, 'ecc')
      akName = (await ensureAttestationKey(tpm)).name
      rsaAkName = (await ensureAttestationKey(tpm, { handle: 0x81008002, alg: 'rsa' })).name
    })
  })
  afterAll(async () => {
    await sw?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('has the EK policy digests of the notes (computed)', () => {
    const cc = (c: number) => new ByteWriter().u32(c).finish()
    const secretPolicy = (alg: 'sha256' | 'sha384', n: number) => {
      const d = digest(
        alg,
        concat(new Uint8Array(n), cc(TPM_CC.PolicySecret), cc(TPM_RH.ENDORSEMENT)),
      )
      return digest(alg, d) // PolicyUpdate's second hash, over an empty policyRef
    }
    expect(toHex(secretPolicy('sha256', 32))).toBe(toHex(POLICY_SECRET_ENDORSEMENT_SHA256))
    expect(toHex(secretPolicy('sha384', 48))).toBe(toHex(POLICY_A_SHA384))
    const or = digest(
      'sha384',
      concat(new Uint8Array(48), cc(TPM_CC.PolicyOR), POLICY_A_SHA384, POLICY_B_SHA384),
    )
    expect(toHex(or)).toBe(toHex(POLICY_OR_SHA384))
    expect(toHex(eks.ecc!.pub.authPolicy)).toBe(toHex(POLICY_OR_SHA384))
    expect(toHex(eks.rsa!.pub.authPolicy)).toBe(toHex(POLICY_SECRET_ENDORSEMENT_SHA256))
  })

  it('builds the EK policy digests in real policy sessions', async () => {
    const [d256, d384] = await withTpm(sw, async (tpm) => {
      const s1 = await tpm.startPolicySession('sha256')
      const a = await tpm.withFlushed(s1.handle, async (s) => {
        await tpm.policySecret({ authHandle: TPM_RH.ENDORSEMENT, session: s })
        return tpm.policyGetDigest(s)
      })
      const s2 = await tpm.startPolicySession('sha384')
      const b = await tpm.withFlushed(s2.handle, async (s) => {
        await tpm.policySecret({ authHandle: TPM_RH.ENDORSEMENT, session: s })
        expect(toHex(await tpm.policyGetDigest(s))).toBe(toHex(POLICY_A_SHA384))
        await tpm.policyOr(s, [POLICY_A_SHA384, POLICY_B_SHA384])
        return tpm.policyGetDigest(s)
      })
      return [a, b]
    })
    expect(toHex(d256)).toBe(toHex(POLICY_SECRET_ENDORSEMENT_SHA256))
    expect(toHex(d384)).toBe(toHex(POLICY_OR_SHA384))
    await expectNothingLoaded(sw)
  })

  for (const kind of ['rsa', 'ecc'] as const) {
    it(`recovers the secret of a tpm2_makecredential blob for the ${kind} EK`, async () => {
      const blob = makeCredential(kind, akName)
      const got = await withTpm(sw, (tpm) =>
        activateCredential(tpm, { ek: eks[kind]!, akHandle: 0x81008001, ...blob }),
      )
      expect(toHex(got)).toBe(toHex(SECRET))
      await expectNothingLoaded(sw)
    })

    it(`fails with ERR_TPM_RESPONSE (and flushes) on a tampered ${kind} blob`, async () => {
      const blob = makeCredential(kind, akName)
      const bad = blob.credentialBlob.slice()
      bad[bad.length - 1]! ^= 0x01 // last byte of encIdentity
      const e = await failure(
        withTpm(sw, (tpm) =>
          activateCredential(tpm, {
            ek: eks[kind]!,
            akHandle: 0x81008001,
            ...blob,
            credentialBlob: bad,
          }),
        ),
      )
      expect(e.code).toBe('ERR_TPM_RESPONSE')
      expect(e.detail).toMatchObject({ command: 'ActivateCredential' })
      expect(e.detail?.rc).toEqual(expect.any(Number))
      expect(e.detail?.rc).not.toBe(0)
      expect(String(e.detail?.meaning)).toContain('INTEGRITY')
      await expectNothingLoaded(sw)
    })
  }

  for (const kind of ['rsa', 'ecc'] as const) {
    it(`recovers the collector's makeCredential secret (body form), ${kind} EK`, async () => {
      const cred = makeCredential(kind, akName) // tpm2-tools, for shape
      const ours = collectorMake({
        ek: eks[kind]!.pub,
        objectName: akName,
        secret: SECRET,
      })
      // Same shapes as tpm2_makecredential, minus the outer size prefixes. (An ECC point's
      // coordinates are compared by structure only: tpm2-tools drops a leading zero byte.)
      expect(ours.credentialBlob.length).toBe(cred.credentialBlob.length - 2)
      if (kind === 'rsa') expect(ours.encryptedSecret.length).toBe(256)
      else {
        const r = new ByteReader(ours.encryptedSecret)
        expect([r.sized().length, r.sized().length]).toEqual([48, 48])
        r.end()
      }
      const got = await withTpm(sw, (tpm) =>
        activateCredential(tpm, { ek: eks[kind]!, akHandle: 0x81008001, ...ours, form: 'body' }),
      )
      expect(toHex(got)).toBe(toHex(SECRET))
      await expectNothingLoaded(sw)
    })
  }

  it('fails for a blob bound to another AK name', async () => {
    const blob = makeCredential('rsa', rsaAkName)
    const e = await failure(
      withTpm(sw, (tpm) =>
        activateCredential(tpm, { ek: eks.rsa!, akHandle: 0x81008001, ...blob }),
      ),
    )
    expect(e.code).toBe('ERR_TPM_RESPONSE')
    await expectNothingLoaded(sw)
    // ...and succeeds with the AK it was made for (an RSA AK this time).
    const ok = await withTpm(sw, (tpm) =>
      activateCredential(tpm, { ek: eks.rsa!, akHandle: 0x81008002, ...blob }),
    )
    expect(toHex(ok)).toBe(toHex(SECRET))
  })

  it('needs PolicyOR for the P-384 EK: PolicySecret alone is TPM_RC_POLICY_FAIL', async () => {
    const blob = makeCredential('ecc', akName)
    const e = await failure(
      withTpm(sw, async (tpm) => {
        const s = await tpm.startPolicySession('sha384')
        return tpm.withFlushed(s.handle, async (h) => {
          await tpm.policySecret({ authHandle: TPM_RH.ENDORSEMENT, session: h })
          return tpm.activateCredential({
            activateHandle: 0x81008001,
            keyHandle: 0x81010016,
            activateAuth: PASSWORD,
            keyAuth: { type: 'policy', session: h },
            credentialBlob: blob.credentialBlob,
            secret: blob.encryptedSecret,
          })
        })
      }),
    )
    expect(e.code).toBe('ERR_TPM_RESPONSE')
    // The notes' 0x9d is the code without its session number; the TPM names session 2, the EK's.
    expect(e.detail).toMatchObject({ rc: 0xa9d })
    expect(rcBase(e.detail?.rc as number)).toBe(RC.POLICY_FAIL)
    expect(String(e.detail?.meaning)).toContain('session 2')
    await expectNothingLoaded(sw)
  })

  it('takes only the size-prefixed forms and the enrolled EK', async () => {
    const blob = makeCredential('rsa', akName)
    const noPrefix = blob.credentialBlob.subarray(2)
    const e1 = await failure(
      withTpm(sw, (tpm) =>
        activateCredential(tpm, {
          ek: eks.rsa!,
          akHandle: 0x81008001,
          ...blob,
          credentialBlob: noPrefix,
        }),
      ),
    )
    expect(e1.code).toBe('ERR_INPUT_MALFORMED')
    const e2 = await failure(
      withTpm(sw, (tpm) =>
        activateCredential(tpm, {
          ek: eks.rsa!,
          akHandle: 0x81008001,
          ...blob,
          encryptedSecret: blob.encryptedSecret.subarray(2),
        }),
      ),
    )
    expect(e2.code).toBe('ERR_INPUT_MALFORMED')
    const e3 = await failure(
      withTpm(sw, (tpm) =>
        activateCredential(tpm, {
          ek: { ...eks.rsa!, name: eks.ecc!.name },
          akHandle: 0x81008001,
          ...blob,
        }),
      ),
    )
    expect(e3.code).toBe('ERR_CONFIG')
    await expectNothingLoaded(sw)
  })

  // Changes the TPM's state: keep last.
  it('activates with an EK that is not persistent, re-created and flushed', async () => {
    sw.tools('tpm2_evictcontrol', ['-C', 'o', '-c', '0x81010016'])
    const ek = await withTpm(sw, (tpm) => getEndorsementKey(tpm, 'ecc'))
    expect(ek.handle).toBeUndefined()
    expect(toHex(ek.name)).toBe(toHex(eks.ecc!.name))
    const blob = makeCredential('ecc', akName)
    const got = await withTpm(sw, (tpm) =>
      activateCredential(tpm, { ek, akHandle: 0x81008001, ...blob }),
    )
    expect(toHex(got)).toBe(toHex(SECRET))
    await expectNothingLoaded(sw)
  })
})
