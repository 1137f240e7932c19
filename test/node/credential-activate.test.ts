/**
 * makeCredential against a real TPM: a fresh swtpm, an AK made by tpm2_createak under the RSA EK,
 * our credential for (a) the RSA-2048 EK at 0x81010001 and (b) the P-384 EK at 0x81010016, opened
 * by tpm2_activatecredential with the EK policy sessions from shared/notes/tpm-on-swtpm.md.
 * Credentials are handed over in tpm2_makecredential's file form: u32 0xBADCC0DE, u32 version 1,
 * TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET (checked below against a file tpm2_makecredential wrote).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ByteReader } from '../../attest/bytes/reader.ts'
import { ByteWriter } from '../../attest/bytes/writer.ts'
import { makeCredential, type Credential } from '../../attest/credential/make-credential.ts'
import { parseTpm2bPublic } from '../../attest/tpm/public.ts'
import type { TpmPublic } from '../../attest/tpm/types.ts'
import { startSwtpm, type Swtpm } from './helpers/swtpm.ts'

const RSA_EK = '0x81010001'
const ECC_EK = '0x81010016'
// The P-384 EK's authPolicy is PolicyOR(PolicyA, PolicyB) in SHA-384 (TCG EK Credential Profile
// 2.3 high-range templates; values checked on this swtpm, shared/notes/tpm-on-swtpm.md).
const POLICY_A =
  '8bbf2266537c171cb56e403c4dc1d4b64f432611dc386e6f532050c3278c930e143e8bb1133824ccb431053871c6db53'
const POLICY_B =
  'd6032ce61f2fb3c240eb3cf6a33237ef2b6a16f4293c22b455e261cffd217ad5b4947c2d73e63005eed2dc2b3593d165'

/** tpm2_makecredential's output file (tpm2-tools lib/files.c / tpm2_makecredential.c). */
function toToolsFile(c: Credential): Uint8Array {
  return new ByteWriter()
    .u32(0xbadcc0de)
    .u32(1)
    .sized(c.credentialBlob)
    .sized(c.encryptedSecret)
    .finish()
}

function fromToolsFile(b: Uint8Array): Credential {
  const r = new ByteReader(b, 'tpm2-tools credential file')
  expect(r.u32()).toBe(0xbadcc0de)
  expect(r.u32()).toBe(1)
  const credentialBlob = r.sized()
  const encryptedSecret = r.sized()
  r.end()
  return { credentialBlob, encryptedSecret }
}

describe('makeCredential opened by TPM2_ActivateCredential on swtpm', () => {
  let tpm: Swtpm
  let dir: string
  let ekRsa: TpmPublic
  let ekEcc: TpmPublic
  let akName: Uint8Array
  const f = (name: string) => path.join(dir, name)

  beforeAll(async () => {
    tpm = await startSwtpm()
    dir = mkdtempSync(path.join(tmpdir(), 'aegis-cred-'))
    tpm.tools('tpm2_readpublic', ['-c', RSA_EK, '-o', f('ek-rsa.pub')])
    tpm.tools('tpm2_readpublic', ['-c', ECC_EK, '-o', f('ek-ecc.pub')])
    tpm.tools('tpm2_createak', [
      '-C',
      RSA_EK,
      '-c',
      f('ak.ctx'),
      '-G',
      'rsa',
      '-g',
      'sha256',
      '-s',
      'rsassa',
      '-u',
      f('ak.pub'),
      '-n',
      f('ak.name'),
    ])
    writeFileSync(f('policyA.bin'), Buffer.from(POLICY_A, 'hex'))
    writeFileSync(f('policyB.bin'), Buffer.from(POLICY_B, 'hex'))
    ekRsa = parseTpm2bPublic(readFileSync(f('ek-rsa.pub')))
    ekEcc = parseTpm2bPublic(readFileSync(f('ek-ecc.pub')))
    akName = new Uint8Array(readFileSync(f('ak.name')))
  })

  afterAll(async () => {
    await tpm?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** Run tpm2_activatecredential on a credential file; return the certInfo it recovers. */
  function activate(ek: string, file: Uint8Array): Buffer {
    writeFileSync(f('cred.bin'), file)
    rmSync(f('out.bin'), { force: true })
    const s = f('session.ctx')
    try {
      if (ek === RSA_EK) {
        tpm.tools('tpm2_startauthsession', ['--policy-session', '-S', s])
        tpm.tools('tpm2_policysecret', ['-S', s, '-c', 'e'])
      } else {
        tpm.tools('tpm2_startauthsession', ['--policy-session', '-g', 'sha384', '-S', s])
        tpm.tools('tpm2_policysecret', ['-S', s, '-c', 'e'])
        tpm.tools('tpm2_policyor', ['-S', s, `sha384:${f('policyA.bin')},${f('policyB.bin')}`])
      }
      tpm.tools('tpm2_activatecredential', [
        '-c',
        f('ak.ctx'),
        '-C',
        ek,
        '-i',
        f('cred.bin'),
        '-o',
        f('out.bin'),
        '-P',
        `session:${s}`,
      ])
      return readFileSync(f('out.bin'))
    } finally {
      // A failed command leaves its policy session loaded; swtpm has few session slots.
      try {
        tpm.tools('tpm2_flushcontext', ['-s'])
      } catch {
        /* none loaded */
      }
    }
  }

  /** The TPM response code tpm2-tools reports for a failed command, e.g. '0x1df'. */
  function failure(ek: string, file: Uint8Array): string {
    try {
      activate(ek, file)
    } catch (e) {
      const stderr = String((e as { stderr?: Buffer }).stderr ?? '')
      const rc = /ErrorCode \((0x[0-9a-f]+)\)/i.exec(stderr)
      return rc ? '0x' + parseInt(rc[1]!, 16).toString(16) : `no code in: ${stderr}`
    }
    return 'activated'
  }

  it('(a) RSA-2048 EK: ActivateCredential returns our secret', () => {
    const secret = new Uint8Array(randomBytes(32))
    const c = makeCredential({ ek: ekRsa, objectName: akName, secret })
    expect(new Uint8Array(activate(RSA_EK, toToolsFile(c)))).toEqual(secret)
  })

  it('(b) P-384 EK: ActivateCredential returns our secret (48 bytes, the SHA-384 maximum)', () => {
    const secret = new Uint8Array(randomBytes(48))
    const c = makeCredential({ ek: ekEcc, objectName: akName, secret })
    expect(new Uint8Array(activate(ECC_EK, toToolsFile(c)))).toEqual(secret)
  })

  it('a credential made for another name fails the integrity check', () => {
    const other = akName.slice()
    other[other.length - 1] ^= 1
    const secret = new Uint8Array(randomBytes(32))
    for (const [ek, pub] of [
      [RSA_EK, ekRsa],
      [ECC_EK, ekEcc],
    ] as const) {
      const c = makeCredential({ ek: pub, objectName: other, secret })
      // TPM_RC_INTEGRITY (0x09f) on parameter 1 (credentialBlob): 0x1df.
      expect(failure(ek, toToolsFile(c))).toBe('0x1df')
    }
  })

  it('a flipped byte in the blob fails the integrity check', () => {
    const secret = new Uint8Array(randomBytes(32))
    for (const [ek, pub] of [
      [RSA_EK, ekRsa],
      [ECC_EK, ekEcc],
    ] as const) {
      const c = makeCredential({ ek: pub, objectName: akName, secret })
      const blob = c.credentialBlob.slice()
      blob[blob.length - 1] ^= 0x01
      expect(failure(ek, toToolsFile({ ...c, credentialBlob: blob }))).toBe('0x1df')
    }
  })

  it("matches the shape of tpm2_makecredential's own output, which the TPM also accepts", () => {
    const secret = randomBytes(32)
    writeFileSync(f('secret.bin'), secret)
    for (const [ek, pub, pubFile] of [
      [RSA_EK, ekRsa, 'ek-rsa.pub'],
      [ECC_EK, ekEcc, 'ek-ecc.pub'],
    ] as const) {
      // -T none: tpm2_makecredential works in software, without the TPM.
      tpm.tools('tpm2_makecredential', [
        '-T',
        'none',
        '-u',
        f(pubFile),
        '-s',
        f('secret.bin'),
        '-n',
        Buffer.from(akName).toString('hex'),
        '-o',
        f('tools.bin'),
      ])
      const theirs = fromToolsFile(new Uint8Array(readFileSync(f('tools.bin'))))
      const ours = makeCredential({ ek: pub, objectName: akName, secret: new Uint8Array(secret) })
      expect(ours.credentialBlob.length).toBe(theirs.credentialBlob.length)
      expect(ours.encryptedSecret.length).toBe(theirs.encryptedSecret.length)
      // integrityHMAC size field, and for ECC the two coordinate size fields, agree too.
      expect(ours.credentialBlob.subarray(0, 2)).toEqual(theirs.credentialBlob.subarray(0, 2))
      if (pub.type === 'ecc') {
        const size = (b: Uint8Array) => [b.subarray(0, 2), b.subarray(50, 52)]
        expect(size(ours.encryptedSecret)).toEqual(size(theirs.encryptedSecret))
      }
      expect(activate(ek, readFileSync(f('tools.bin')))).toEqual(secret)
    }
  })
})
