/**
 * The TPM 2.0 constants only the command client needs: command codes, command tags, capability
 * and property selectors, NV and session attribute bits. Algorithm ids, curves, permanent handles
 * (TPM_RH) and TPMA_OBJECT come from attest/tpm/constants.ts and attest/crypto/hash.ts.
 * Values from TPM 2.0 Part 2 §6.5.2 (TPM_CC), §6.9 (TPM_ST), §6.10 (TPM_SU), §6.11 (TPM_SE),
 * §6.12 (TPM_CAP), §6.13 (TPM_PT), §13.4 (TPMA_NV), §8.4 (TPMA_SESSION).
 */
export const TPM_CC = {
  EvictControl: 0x120,
  CreatePrimary: 0x131,
  Startup: 0x144,
  Shutdown: 0x145,
  ActivateCredential: 0x147,
  NV_Read: 0x14e,
  PolicySecret: 0x151,
  Create: 0x153,
  Load: 0x157,
  Quote: 0x158,
  FlushContext: 0x165,
  NV_ReadPublic: 0x169,
  PolicyOR: 0x171,
  ReadPublic: 0x173,
  StartAuthSession: 0x176,
  GetCapability: 0x17a,
  PCR_Read: 0x17e,
  PCR_Extend: 0x182,
  PolicyGetDigest: 0x189,
} as const

const CC_NAMES = new Map<number, string>(Object.entries(TPM_CC).map(([k, v]) => [v, k]))

export function commandName(cc: number): string {
  return CC_NAMES.get(cc) ?? `0x${cc.toString(16).padStart(8, '0')}`
}

export const TPM_ST_NO_SESSIONS = 0x8001
export const TPM_ST_SESSIONS = 0x8002
export const TPM_SU_CLEAR = 0x0000
export const TPM_SE_POLICY = 0x01

export const TPM_CAP = { HANDLES: 0x1, PCRS: 0x5, TPM_PROPERTIES: 0x6 } as const

/** Fixed TPM properties (PT_FIXED = 0x100). */
export const TPM_PT = {
  MANUFACTURER: 0x105,
  INPUT_BUFFER: 0x10d,
  NV_BUFFER_MAX: 0x12c,
} as const

/** TPMA_NV bits the reader consults. */
export const TPMA_NV = {
  PPREAD: 1 << 16,
  OWNERREAD: 1 << 17,
  AUTHREAD: 1 << 18,
  POLICYREAD: 1 << 19,
  READLOCKED: 1 << 28,
  WRITTEN: 1 << 29,
} as const

/** TPMA_SESSION.continueSession: keep the session after the command; we flush it ourselves. */
export const TPMA_SESSION_CONTINUE = 0x01
