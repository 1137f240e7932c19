/**
 * The four Wycheproof ECDSA vector files (google-wycheproof 0.9rc5, Apache-2.0, in
 * shared/vectors/wycheproof) with the vector count each must hold, shared by the noble/public-API
 * test and the Wasm kernel test so both run exactly the same vectors.
 */
import p256der from '@shared/vectors/wycheproof/ecdsa_secp256r1_sha256_test.json'
import p256p1363 from '@shared/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json'
import p384der from '@shared/vectors/wycheproof/ecdsa_secp384r1_sha384_test.json'
import p384p1363 from '@shared/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json'
import type { EccCurve, HashAlg } from '../../../attest/tpm/types.ts'

export const ECDSA_SUITES = [
  {
    name: 'secp256r1 sha256 DER',
    file: p256der,
    curve: 'P-256',
    hash: 'sha256',
    der: true,
    count: 484,
  },
  {
    name: 'secp256r1 sha256 P1363',
    file: p256p1363,
    curve: 'P-256',
    hash: 'sha256',
    der: false,
    count: 262,
  },
  {
    name: 'secp384r1 sha384 DER',
    file: p384der,
    curve: 'P-384',
    hash: 'sha384',
    der: true,
    count: 504,
  },
  {
    name: 'secp384r1 sha384 P1363',
    file: p384p1363,
    curve: 'P-384',
    hash: 'sha384',
    der: false,
    count: 280,
  },
] as const satisfies readonly {
  name: string
  file: unknown
  curve: EccCurve
  hash: HashAlg
  der: boolean
  count: number
}[]

export const CURVE_NAME: Record<string, EccCurve> = { secp256r1: 'P-256', secp384r1: 'P-384' }
export const HASH_NAME: Record<string, HashAlg> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384' }
