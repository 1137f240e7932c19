/**
 * Command framing, response unframing and TPM_RC decoding, without a TPM.
 * Expected command bytes are the well-known marshalled forms from TPM 2.0 Part 3 (e.g.
 * GetCapability(TPM_CAP_HANDLES, 0x81000000, n) and Startup(CLEAR)); response codes are ones
 * this machine's swtpm was seen to return (0x9d, 0x902, 0x922, 0x18b, 0x100; see
 * shared/notes/tpm-on-swtpm.md) plus their documented neighbours.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../../../attest/bytes/encoding.ts'
import { AegisError } from '../../../attest/errors.ts'
import { TPM_CC } from '../../../agent/tpm/constants.ts'
import { buildCommand } from '../../../agent/tpm/framing/build-command.ts'
import { parseResponse } from '../../../agent/tpm/framing/parse-response.ts'
import { RC, decodeResponseCode, rcBase } from '../../../agent/tpm/response-code.ts'

function errorOf(f: () => unknown): AegisError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(AegisError)
    return e as AegisError
  }
  throw new Error('expected an AegisError')
}

describe('buildCommand', () => {
  it('frames a command without sessions', () => {
    const params = fromHex('00000001' + '81000000' + '00000100')
    expect(toHex(buildCommand({ code: TPM_CC.GetCapability, params }))).toBe(
      '8001' + '00000016' + '0000017a' + '00000001' + '81000000' + '00000100',
    )
    expect(toHex(buildCommand({ code: TPM_CC.Startup, params: fromHex('0000') }))).toBe(
      '8001' + '0000000c' + '00000144' + '0000',
    )
  })

  it('frames handles and an authorization area (password and policy sessions)', () => {
    const cmd = buildCommand({
      code: TPM_CC.ActivateCredential,
      handles: [0x81008001, 0x81010001],
      auths: [{ type: 'password' }, { type: 'policy', session: 0x03000000 }],
      params: fromHex('0001aa0001bb'),
    })
    expect(toHex(cmd)).toBe(
      '8002' +
        (10 + 8 + 4 + 18 + 6).toString(16).padStart(8, '0') +
        '00000147' +
        '8100800181010001' +
        '00000012' + // authorizationSize: 2 x (4 + 2 + 1 + 2)
        '40000009' +
        '0000' +
        '00' +
        '0000' + // TPM_RS_PW, no nonce, attrs 0, empty password
        '03000000' +
        '0000' +
        '01' +
        '0000' + // policy session, continueSession
        '0001aa0001bb',
    )
  })

  it('carries a password in the hmac field', () => {
    const cmd = buildCommand({
      code: TPM_CC.PCR_Extend,
      handles: [16],
      auths: [{ type: 'password', auth: fromHex('6162') }],
    })
    expect(toHex(cmd).slice(28)).toBe('0000000b' + '40000009' + '0000' + '00' + '00026162')
  })
})

describe('parseResponse', () => {
  it('splits handles, parameters and the auth area', () => {
    const resp = fromHex(
      '8002' +
        '00000020' +
        '00000000' +
        '80000001' +
        '00000004' +
        'deadbeef' +
        '0000' +
        '01' +
        '0000' +
        '0000' +
        '01' +
        '0000',
    )
    const r = parseResponse(resp, TPM_CC.Load, { handles: 1, sessions: 2 })
    expect(r.handles).toEqual([0x80000001])
    expect(toHex(r.params.bytes(r.params.remaining))).toBe('deadbeef')
  })

  it('turns a non-zero response code into ERR_TPM_RESPONSE with decoded detail', () => {
    const e = errorOf(() =>
      parseResponse(fromHex('80010000000a0000009d'), TPM_CC.ActivateCredential, {
        handles: 0,
        sessions: 2,
      }),
    )
    expect(e.code).toBe('ERR_TPM_RESPONSE')
    expect(e.detail).toMatchObject({ rc: 0x9d, rcHex: '0x09d', command: 'ActivateCredential' })
    expect(String(e.detail?.meaning)).toContain('TPM_RC_POLICY_FAIL')
  })

  it('rejects a size field that does not match, bad tags and leftover bytes', () => {
    expect(
      errorOf(() =>
        parseResponse(fromHex('80010000000b00000000'), 0x17a, { handles: 0, sessions: 0 }),
      ).code,
    ).toBe('ERR_TPM_MALFORMED')
    expect(
      errorOf(() =>
        parseResponse(fromHex('80030000000a00000000'), 0x17a, { handles: 0, sessions: 0 }),
      ).code,
    ).toBe('ERR_TPM_MALFORMED')
    // Sessions were sent but the TPM answered without an auth area.
    expect(
      errorOf(() =>
        parseResponse(fromHex('80010000000a00000000'), 0x17a, { handles: 0, sessions: 1 }),
      ).code,
    ).toBe('ERR_TPM_MALFORMED')
    // parameterSize 0, one auth response, then two stray bytes.
    const extra = fromHex('80020000001500000000' + '00000000' + '0000010000' + 'abcd')
    expect(errorOf(() => parseResponse(extra, 0x17a, { handles: 0, sessions: 1 })).code).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
  })
})

describe('decodeResponseCode', () => {
  it('names format-0 errors and warnings', () => {
    expect(decodeResponseCode(0x100).name).toBe('TPM_RC_INITIALIZE')
    expect(decodeResponseCode(0x143).name).toBe('TPM_RC_COMMAND_CODE')
    expect(decodeResponseCode(0x902)).toMatchObject({
      name: 'TPM_RC_OBJECT_MEMORY',
      rcHex: '0x902',
    })
    expect(decodeResponseCode(0x922).name).toBe('TPM_RC_RETRY')
    expect(decodeResponseCode(0x910).name).toBe('TPM_RC_REFERENCE_H0')
    expect(decodeResponseCode(0x919).name).toBe('TPM_RC_REFERENCE_S1')
  })

  it('decodes the parameter, handle or session number of format-1 codes', () => {
    expect(decodeResponseCode(0x9d).meaning).toMatch(/TPM_RC_POLICY_FAIL.*\(the command\)/)
    expect(decodeResponseCode(0x18b).meaning).toMatch(/TPM_RC_HANDLE.*\(handle 1\)/)
    expect(decodeResponseCode(0x28b).meaning).toMatch(/TPM_RC_HANDLE.*\(handle 2\)/)
    expect(decodeResponseCode(0x1df).meaning).toMatch(/TPM_RC_INTEGRITY.*\(parameter 1\)/)
    expect(decodeResponseCode(0x2d5).meaning).toMatch(/TPM_RC_SIZE.*\(parameter 2\)/)
    expect(decodeResponseCode(0x98e).meaning).toMatch(/TPM_RC_AUTH_FAIL.*\(session 1\)/)
    expect(decodeResponseCode(0xa9d).meaning).toMatch(/TPM_RC_POLICY_FAIL.*\(session 2\)/)
  })

  it('strips the number for comparisons', () => {
    expect(rcBase(0x18b)).toBe(RC.HANDLE)
    expect(rcBase(0x28b)).toBe(RC.HANDLE)
    expect(rcBase(0x1df)).toBe(RC.INTEGRITY)
    expect(rcBase(0x98e)).toBe(rcBase(0x8e))
    expect(rcBase(0x902)).toBe(RC.OBJECT_MEMORY)
  })

  it('flags vendor, TPM 1.2 and TSS-layer codes and never throws', () => {
    expect(decodeResponseCode(0x501).name).toBe('TPM_RC_VENDOR')
    expect(decodeResponseCode(0x26).meaning).toContain('TPM 1.2')
    expect(decodeResponseCode(0x000b0005).meaning).toContain('TSS layer 0xb')
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), (rc) => {
        const d = decodeResponseCode(rc)
        expect(d.meaning.length).toBeGreaterThan(0)
        expect(d.rc).toBe(rc)
      }),
    )
  })
})
