/**
 * JWS `typ` values of every collector-signed object (RFC 8725 §3.11: explicit typing, so no
 * collector token can stand in for another). Shared by the signer (worker/tokens) and offline
 * verifiers (attest/bundle, the CLI).
 */
export const RECEIPT_TYP = 'aegis-receipt+jwt'
export const TREE_HEAD_TYP = 'aegis-sth+jws'
export const AK_BINDING_TYP = 'aegis-ak-binding+jwt'
export const EAR_TYP = 'eat+jwt'
