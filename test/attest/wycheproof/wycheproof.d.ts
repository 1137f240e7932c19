/**
 * Types for the Wycheproof JSON vectors (https://github.com/C2SP/wycheproof, schemas
 * ecdsa_verify_schema_v1, ecdsa_p1363_verify_schema_v1, rsassa_pkcs1_verify_schema_v1,
 * rsassa_pss_verify_schema_v1, rsaes_oaep_decrypt_schema_v1), imported through the @shared alias.
 * Only the fields the tests read are typed.
 */
declare module '@shared/vectors/wycheproof/*.json' {
  const file: {
    algorithm: string
    numberOfTests: number
    testGroups: Array<{
      sha: string
      sLen?: number
      publicKey: {
        curve?: string
        uncompressed?: string
        modulus?: string
        publicExponent?: string
      }
      privateKey?: { modulus: string; privateExponent: string; publicExponent: string }
      tests: Array<{
        tcId: number
        comment: string
        flags: string[]
        msg: string
        sig?: string
        ct?: string
        label?: string
        result: string
      }>
    }>
  }
  export default file
}
