/**
 * RSA entry points (RFC 8017): PKCS#1 v1.5 and PSS verification, OAEP encryption and the test-only
 * OAEP decryption. Each operation lives in its own file; this module gathers them so callers have
 * one import. Leaves out RSA signing and key generation: Aegis Edge never holds an RSA private key.
 */
export { verifyRsaPkcs1v15 } from './rsa-pkcs1.ts'
export { verifyRsaPss } from './rsa-pss.ts'
export { rsaOaepDecrypt, rsaOaepEncrypt } from './rsa-oaep.ts'
export { DEFAULT_MIN_RSA_BITS, type RsaPublicKeyInput } from './rsa-key.ts'
