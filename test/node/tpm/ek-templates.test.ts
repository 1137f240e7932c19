/**
 * The EK policy constants of agent/tpm/templates/ek-templates.ts recomputed from their
 * definitions (TPM 2.0 Part 3 §23.16 PolicySecret and §23.6 PolicyOR): PolicyA =
 * PolicySecret(TPM_RH_ENDORSEMENT) and PolicyOR(PolicyA, PolicyC) in SHA-256/384/512, with only
 * PolicyC (PolicyAuthorizeNV over the TCG EK policy index) taken from the EK Credential Profile.
 * Also: every template marshals with the TCG attributes and parameters, and ekPolicyFor picks the
 * right session for each.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { concat, toHex } from '../../../attest/bytes/encoding.ts'
import {
  EK_KINDS,
  EK_PROFILES,
  HIGH_RANGE_POLICY,
  ekPolicyFor,
} from '../../../agent/tpm/templates/ek-templates.ts'

const H = { sha256, sha384, sha512 }
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255)
const TPM_CC_POLICY_SECRET = 0x151
const TPM_CC_POLICY_OR = 0x171
const TPM_RH_ENDORSEMENT = 0x4000000b

describe('EK policy digests', () => {
  for (const alg of ['sha256', 'sha384', 'sha512'] as const) {
    it(`PolicyA and PolicyOR(A, C) in ${alg}`, () => {
      const h = H[alg]
      const zero = new Uint8Array(h.outputLen)
      // PolicyUpdate(cc, name, policyRef): H(H(old || cc || name) || policyRef), policyRef empty.
      const a = h(h(concat(zero, u32(TPM_CC_POLICY_SECRET), u32(TPM_RH_ENDORSEMENT))))
      expect(toHex(a)).toBe(toHex(HIGH_RANGE_POLICY[alg].a))
      const or = h(concat(zero, u32(TPM_CC_POLICY_OR), a, HIGH_RANGE_POLICY[alg].c))
      expect(toHex(or)).toBe(toHex(HIGH_RANGE_POLICY[alg].or))
    })
  }
})

describe('EK templates', () => {
  const expected: Record<string, [string, string, string, number, number]> = {
    // id, nameAlg, key, AES bits, attributes
    rsa: ['L-1', 'sha256', 'rsa2048', 128, 0x000300b2],
    'ecc-p256': ['L-2', 'sha256', 'P-256', 128, 0x000300b2],
    'rsa2048-h': ['H-1', 'sha256', 'rsa2048', 128, 0x000300f2],
    'ecc-p256-h': ['H-2', 'sha256', 'P-256', 128, 0x000300f2],
    ecc: ['H-3', 'sha384', 'P-384', 256, 0x000300f2],
    'ecc-p521': ['H-4', 'sha512', 'P-521', 256, 0x000300f2],
    rsa3072: ['H-6', 'sha384', 'rsa3072', 256, 0x000300f2],
    rsa4096: ['H-7', 'sha384', 'rsa4096', 256, 0x000300f2],
  }
  for (const kind of EK_KINDS) {
    it(`${kind}: ${expected[kind]![0]}`, () => {
      const p = EK_PROFILES[kind]
      const f = p.template.fields
      const [id, nameAlg, key, aes, attrs] = expected[kind]!
      expect(p.id).toBe(id)
      expect(f.nameAlg).toBe(nameAlg)
      expect(f.type === 'rsa' ? `rsa${f.keyBits}` : f.curve).toBe(key)
      expect(f.symmetric).toEqual({ alg: 'aes', keyBits: aes, mode: 'cfb' })
      expect(f.attributes >>> 0).toBe(attrs)
      const policy = ekPolicyFor(f.authPolicy)
      expect(policy?.hashAlg).toBe(nameAlg)
      expect(policy?.orBranches?.length ?? 0).toBe(id.startsWith('H') ? 2 : 0)
      // High range: certificate index and swtpm's persistent handle share the low byte.
      if (id.startsWith('H')) expect(p.persistentHandle & 0xff).toBe(p.certIndex & 0xff)
    })
  }
  it('an unknown policy is not guessed', () => {
    expect(ekPolicyFor(new Uint8Array(32))).toBeUndefined()
  })
})
