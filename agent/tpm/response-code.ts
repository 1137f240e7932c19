/**
 * Decode a TPM_RC into a readable meaning and turn a non-zero one into ERR_TPM_RESPONSE.
 * Follows TPM 2.0 Part 2 §6.6 (TPM_RC): format-1 codes (bit 7) carry a parameter, handle or
 * session number; format-0 codes are plain errors, warnings (bit 11) or vendor codes (bit 10).
 * Leaves out TSS layer bits (a raw TPM never sets them; any found are reported as-is) and the
 * TPM 1.2 code table (a 2.0 TPM answers with one only for a 1.2-format command).
 */
import { AegisError } from '../../attest/errors.ts'
import { commandName } from './constants.ts'

const RC_VER1 = 0x100
const RC_FMT1 = 0x080
const RC_WARN = 0x900

const FMT0: Record<number, [string, string]> = {
  0x000: ['INITIALIZE', 'TPM not initialized by TPM2_Startup or already initialized'],
  0x001: ['FAILURE', 'commands not being accepted because of a TPM failure'],
  0x003: ['SEQUENCE', 'improper use of a sequence handle'],
  0x00b: ['PRIVATE', 'not currently used'],
  0x019: ['HMAC', 'not currently used'],
  0x020: ['DISABLED', 'the command is disabled'],
  0x021: ['EXCLUSIVE', 'command failed because audit sequence required exclusivity'],
  0x024: ['AUTH_TYPE', 'authorization handle is not correct for command'],
  0x025: [
    'AUTH_MISSING',
    'command requires an authorization session for handle and it is not present',
  ],
  0x026: ['POLICY', 'policy failure in math operation or an invalid authPolicy value'],
  0x027: ['PCR', 'PCR check fail'],
  0x028: ['PCR_CHANGED', 'PCR have changed since checked'],
  0x02d: ['UPGRADE', 'the TPM is in field upgrade mode'],
  0x02e: ['TOO_MANY_CONTEXTS', 'context ID counter is at maximum'],
  0x02f: ['AUTH_UNAVAILABLE', 'authValue or authPolicy is not available for selected entity'],
  0x030: [
    'REBOOT',
    'a _TPM_Init and Startup(CLEAR) is required before the TPM can resume operation',
  ],
  0x031: [
    'UNBALANCED',
    'the protection algorithms (hash and symmetric) are not reasonably balanced',
  ],
  0x042: ['COMMAND_SIZE', 'command commandSize value is inconsistent with contents'],
  0x043: ['COMMAND_CODE', 'command code not supported'],
  0x044: ['AUTHSIZE', 'the value of authorizationSize is out of range'],
  0x045: ['AUTH_CONTEXT', 'use of an authorization session with a context command'],
  0x046: ['NV_RANGE', 'NV offset+size is out of range'],
  0x047: ['NV_SIZE', 'requested allocation size is larger than allowed'],
  0x048: ['NV_LOCKED', 'NV access locked'],
  0x049: ['NV_AUTHORIZATION', 'NV access authorization fails in command actions'],
  0x04a: ['NV_UNINITIALIZED', 'an NV Index is used before being initialized'],
  0x04b: ['NV_SPACE', 'insufficient space for NV allocation'],
  0x04c: ['NV_DEFINED', 'NV Index or persistent object already defined'],
  0x050: ['BAD_CONTEXT', 'context in TPM2_ContextLoad() is not valid'],
  0x051: ['CPHASH', 'cpHash value already set or not correct for use'],
  0x052: ['PARENT', 'handle for parent is not a valid parent'],
  0x053: ['NEEDS_TEST', 'some function needs testing'],
  0x054: ['NO_RESULT', 'internal function cannot process a request due to an unspecified problem'],
  0x055: ['SENSITIVE', 'the sensitive area did not unmarshal correctly after decryption'],
}

const FMT1: Record<number, [string, string]> = {
  0x01: ['ASYMMETRIC', 'asymmetric algorithm not supported or not correct'],
  0x02: ['ATTRIBUTES', 'inconsistent attributes'],
  0x03: ['HASH', 'hash algorithm not supported or not appropriate'],
  0x04: ['VALUE', 'value is out of range or is not correct for the context'],
  0x05: ['HIERARCHY', 'hierarchy is not enabled or is not correct for the use'],
  0x07: ['KEY_SIZE', 'key size is not supported'],
  0x08: ['MGF', 'mask generation function not supported'],
  0x09: ['MODE', 'mode of operation not supported'],
  0x0a: ['TYPE', 'the type of the value is not appropriate for the use'],
  0x0b: ['HANDLE', 'the handle is not correct for the use'],
  0x0c: ['KDF', 'unsupported key derivation function or function not appropriate for use'],
  0x0d: ['RANGE', 'value was out of allowed range'],
  0x0e: ['AUTH_FAIL', 'the authorization HMAC check failed and DA counter incremented'],
  0x0f: ['NONCE', 'invalid nonce size or nonce value mismatch'],
  0x10: ['PP', 'authorization requires assertion of PP'],
  0x12: ['SCHEME', 'unsupported or incompatible scheme'],
  0x15: ['SIZE', 'structure is the wrong size'],
  0x16: [
    'SYMMETRIC',
    'unsupported symmetric algorithm or key size, or not appropriate for instance',
  ],
  0x17: ['TAG', 'incorrect structure tag'],
  0x18: ['SELECTOR', 'union selector is incorrect'],
  0x1a: [
    'INSUFFICIENT',
    'the TPM was unable to unmarshal a value because there were not enough octets',
  ],
  0x1b: ['SIGNATURE', 'the signature is not valid'],
  0x1c: ['KEY', 'key fields are not compatible with the selected use'],
  0x1d: ['POLICY_FAIL', 'a policy check failed'],
  0x1f: ['INTEGRITY', 'integrity check failed'],
  0x20: ['TICKET', 'invalid ticket'],
  0x21: ['RESERVED_BITS', 'reserved bits not set to zero as required'],
  0x22: ['BAD_AUTH', 'authorization failure without DA implications'],
  0x23: ['EXPIRED', 'the policy has expired'],
  0x24: ['POLICY_CC', 'the commandCode in the policy is not the commandCode of the command'],
  0x25: ['BINDING', 'public and sensitive portions of an object are not cryptographically bound'],
  0x26: ['CURVE', 'curve not supported'],
  0x27: ['ECC_POINT', 'point is not on the required curve'],
}

const WARN: Record<number, [string, string]> = {
  0x01: ['CONTEXT_GAP', 'gap for context ID is too large'],
  0x02: ['OBJECT_MEMORY', 'out of memory for object contexts'],
  0x03: ['SESSION_MEMORY', 'out of memory for session contexts'],
  0x04: ['MEMORY', 'out of shared object/session memory or need space for internal operations'],
  0x05: ['SESSION_HANDLES', 'out of session handles; a session must be flushed'],
  0x06: ['OBJECT_HANDLES', 'out of object handles; an object must be flushed'],
  0x07: ['LOCALITY', 'bad locality'],
  0x08: ['YIELDED', 'the TPM has suspended operation on the command'],
  0x09: ['CANCELED', 'the command was canceled'],
  0x0a: ['TESTING', 'TPM is performing self-tests'],
  0x20: ['NV_RATE', 'the TPM is rate-limiting accesses to prevent wearout of NV'],
  0x21: [
    'LOCKOUT',
    'authorizations for objects subject to DA protection are not allowed (lockout)',
  ],
  0x22: ['RETRY', 'the TPM was not able to start the command'],
  0x23: [
    'NV_UNAVAILABLE',
    'the command may require writing of NV and NV is not current accessible',
  ],
}

export interface DecodedResponseCode {
  rc: number
  rcHex: string
  /** e.g. TPM_RC_POLICY_FAIL; `TPM_RC_?` when the number is not in the tables. */
  name: string
  /** Name, description, and which parameter/handle/session it concerns. */
  meaning: string
}

/**
 * The code without its parameter/handle/session number, for comparing against a base code
 * (e.g. `rcBase(rc) === RC.HANDLE` whatever handle it names).
 */
export function rcBase(rc: number): number {
  return rc & RC_FMT1 ? rc & 0xbf : rc
}

/** Base codes the client branches on. */
export const RC = {
  INITIALIZE: RC_VER1 + 0x000,
  NV_DEFINED: RC_VER1 + 0x04c,
  HANDLE: RC_FMT1 + 0x0b,
  INTEGRITY: RC_FMT1 + 0x1f,
  POLICY_FAIL: RC_FMT1 + 0x1d,
  OBJECT_MEMORY: RC_WARN + 0x02,
  YIELDED: RC_WARN + 0x08,
  TESTING: RC_WARN + 0x0a,
  RETRY: RC_WARN + 0x22,
} as const

export function decodeResponseCode(rc: number): DecodedResponseCode {
  const rcHex = '0x' + (rc >>> 0).toString(16).padStart(3, '0')
  const out = (name: string, meaning: string): DecodedResponseCode => ({ rc, rcHex, name, meaning })
  const layer = rc >>> 16
  const code = rc & 0xffff
  const layerNote = layer !== 0 ? ` (TSS layer 0x${layer.toString(16)})` : ''

  if (code & RC_FMT1) {
    const n = code & 0x3f
    const [nm, desc] = FMT1[n] ?? ['?', `unknown format-1 error 0x${n.toString(16)}`]
    const num = (code >> 8) & 0xf
    let where: string
    if (code & 0x40) where = `parameter ${num}`
    else if (num & 0x8) where = `session ${num & 0x7}`
    else where = num === 0 ? 'the command' : `handle ${num}`
    return out(`TPM_RC_${nm}`, `TPM_RC_${nm}: ${desc} (${where})${layerNote}`)
  }
  if (!(code & RC_VER1)) {
    return out('TPM_RC_?', `TPM 1.2 response code 0x${code.toString(16)}${layerNote}`)
  }
  const n = code & 0x7f
  if (code & 0x400) {
    return out('TPM_RC_VENDOR', `vendor-defined response code 0x${n.toString(16)}${layerNote}`)
  }
  if (code & 0x800) {
    let entry = WARN[n]
    if (!entry && n >= 0x10 && n <= 0x16)
      entry = [`REFERENCE_H${n - 0x10}`, `handle ${n - 0x10} is not loaded`]
    if (!entry && n >= 0x18 && n <= 0x1e)
      entry = [`REFERENCE_S${n - 0x18}`, `session ${n - 0x18} is not loaded`]
    const [nm, desc] = entry ?? ['?', `unknown warning 0x${n.toString(16)}`]
    return out(`TPM_RC_${nm}`, `TPM_RC_${nm}: ${desc} (warning)${layerNote}`)
  }
  const [nm, desc] = FMT0[n] ?? ['?', `unknown format-0 error 0x${n.toString(16)}`]
  return out(`TPM_RC_${nm}`, `TPM_RC_${nm}: ${desc}${layerNote}`)
}

export function tpmResponseError(rc: number, cc: number): AegisError {
  const d = decodeResponseCode(rc)
  const command = commandName(cc)
  return new AegisError('ERR_TPM_RESPONSE', `TPM2_${command} failed: ${d.meaning}`, {
    detail: { rc: d.rc, rcHex: d.rcHex, command, meaning: d.meaning },
  })
}
