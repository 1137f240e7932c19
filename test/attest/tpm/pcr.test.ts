// PCR selections, digest lists and the tpm2-tools PCR file (shared/vectors/tpm2-tools/*.pcrs,
// written by tpm2_quote -o from tpm2-tools 5.4 over sha256:0,1,2,3,4,5,6,7,15 after PCR 15 was
// extended with sha256('gnss:ublox-m8:fw-3.01'), per the vectors' manifest.json).
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import pcrsEcc from '@shared/vectors/tpm2-tools/quote-ecc.pcrs?bytes'
import pcrsRsa from '@shared/vectors/tpm2-tools/quote-rsa.pcrs?bytes'
import { concat, fromHex, toHex, utf8 } from '../../../attest/bytes/encoding.ts'
import { parseTpmlDigest } from '../../../attest/tpm/digest-list.ts'
import { marshalTpmlDigest } from '../../../attest/tpm/marshal-digest-list.ts'
import { marshalTpm2ToolsPcrFile } from '../../../attest/tpm/marshal-pcr-file.ts'
import { marshalTpmlPcrSelection } from '../../../attest/tpm/marshal-pcr-selection.ts'
import { parseTpm2ToolsPcrFile } from '../../../attest/tpm/pcr-file.ts'
import { parseTpmlPcrSelection } from '../../../attest/tpm/pcr-selection.ts'
import { code } from '../../helpers/error-code.ts'

describe('TPML_PCR_SELECTION', () => {
  it('decodes the bitmap LSB first into ascending indices', () => {
    const b = fromHex('00000002' + '000b' + '03' + 'ff8000' + '000c' + '03' + '000001')
    expect(parseTpmlPcrSelection(b)).toEqual([
      { hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] },
      { hashAlg: 'sha384', pcrs: [16] },
    ])
    expect(toHex(marshalTpmlPcrSelection(parseTpmlPcrSelection(b)))).toBe(toHex(b))
  })

  it('keeps empty banks and a non-minimal 4-byte bitmap through a round trip', () => {
    const b = fromHex('00000002' + '0004' + '03' + '000000' + '000b' + '04' + '01000000')
    const sel = parseTpmlPcrSelection(b)
    expect(sel).toEqual([
      { hashAlg: 'sha1', pcrs: [] },
      { hashAlg: 'sha256', pcrs: [0], sizeofSelect: 4 },
    ])
    expect(toHex(marshalTpmlPcrSelection(sel))).toBe(toHex(b))
    // PCR 24 needs the fourth byte, so a 4-byte bitmap is then minimal.
    const hi = fromHex('00000001' + '000b' + '04' + '00000001')
    expect(parseTpmlPcrSelection(hi)).toEqual([{ hashAlg: 'sha256', pcrs: [24] }])
    expect(toHex(marshalTpmlPcrSelection(parseTpmlPcrSelection(hi)))).toBe(toHex(hi))
  })

  it('rejects bad bitmap sizes, too many banks, unknown banks, trailing bytes', () => {
    expect(code(() => parseTpmlPcrSelection(fromHex('00000001000b02ff80')))).toBe(
      'ERR_TPM_MALFORMED',
    )
    expect(code(() => parseTpmlPcrSelection(fromHex('00000001000b05ff80000000')))).toBe(
      'ERR_TPM_MALFORMED',
    )
    expect(code(() => parseTpmlPcrSelection(fromHex('00000011')))).toBe('ERR_TPM_MALFORMED')
    expect(code(() => parseTpmlPcrSelection(fromHex('000000010012030000ff')))).toBe(
      'ERR_TPM_UNSUPPORTED_ALG',
    )
    expect(code(() => parseTpmlPcrSelection(fromHex('00000001000b03ff800000')))).toBe(
      'ERR_TPM_TRAILING_BYTES',
    )
    expect(code(() => marshalTpmlPcrSelection([{ hashAlg: 'sha256', pcrs: [32] }]))).toBe(
      'ERR_TPM_MALFORMED',
    )
    expect(
      code(() => marshalTpmlPcrSelection([{ hashAlg: 'sha256', pcrs: [3], sizeofSelect: 2 }])),
    ).toBe('ERR_TPM_MALFORMED')
  })
})

describe('TPML_DIGEST', () => {
  it('round-trips and bounds count and sizes', () => {
    const list = [new Uint8Array(32).fill(1), new Uint8Array(20).fill(2)]
    const b = marshalTpmlDigest(list)
    expect(toHex(b)).toBe('00000002' + '0020' + '01'.repeat(32) + '0014' + '02'.repeat(20))
    expect(parseTpmlDigest(b)).toEqual(list)
    expect(code(() => parseTpmlDigest(fromHex('00000009')))).toBe('ERR_TPM_MALFORMED')
    expect(code(() => parseTpmlDigest(concat(fromHex('000000010041'), new Uint8Array(65))))).toBe(
      'ERR_TPM_MALFORMED',
    )
    expect(code(() => parseTpmlDigest(concat(b, new Uint8Array(1))))).toBe('ERR_TPM_TRAILING_BYTES')
  })
})

describe('tpm2-tools PCR file', () => {
  const pcr15 = sha256(concat(new Uint8Array(32), sha256(utf8('gnss:ublox-m8:fw-3.01'))))

  it('decodes the selection and the values (PCR 15 = extend of the sensor identity)', () => {
    for (const f of [pcrsEcc, pcrsRsa]) {
      const { selection, values } = parseTpm2ToolsPcrFile(f)
      expect(selection).toEqual([{ hashAlg: 'sha256', pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 15] }])
      expect(Object.keys(values)).toEqual(['sha256'])
      const bank = values.sha256!
      expect(Object.keys(bank).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 15])
      for (let i = 0; i < 8; i++) expect(toHex(bank[i]!)).toBe('00'.repeat(32))
      expect(toHex(bank[15]!)).toBe(toHex(pcr15))
      // shared/notes/tpm-on-swtpm.md: PCR 15's value sits at byte 0x2a2.
      expect(toHex(f.subarray(0x2a2, 0x2a2 + 32))).toBe(toHex(pcr15))
    }
  })

  it('re-marshals the vectors byte for byte', () => {
    for (const f of [pcrsEcc, pcrsRsa]) {
      expect(toHex(marshalTpm2ToolsPcrFile(parseTpm2ToolsPcrFile(f)))).toBe(toHex(f))
    }
  })

  it('rejects wrong lengths, stray bytes and digest/selection mismatches', () => {
    expect(code(() => parseTpm2ToolsPcrFile(pcrsEcc.subarray(0, 1199)))).toBe('ERR_TPM_MALFORMED')
    expect(code(() => parseTpm2ToolsPcrFile(concat(pcrsEcc, new Uint8Array(1))))).toBe(
      'ERR_TPM_MALFORMED',
    )
    expect(code(() => parseTpm2ToolsPcrFile(pcrsEcc.subarray(0, 100)))).toBe('ERR_TPM_MALFORMED')
    const edits: Array<[number, number]> = [
      [11, 1], // selection pad byte
      [10, 1], // 4th bitmap byte beyond sizeofSelect 3
      [12, 1], // unused selection slot
      [0x2a0 + 2 + 32, 1], // PCR 15 digest tail beyond its 32 bytes
      [0x2a0 + 66, 1], // unused digest slot in the second list
      [0x29c, 2], // second list count 1 -> 2: more digests than selected
      [0x84, 1], // one list: length no longer matches
      [0x88, 7], // first list count 8 -> 7: the 8th slot is no longer unused-zero
    ]
    for (const [at, v] of edits) {
      const b = pcrsEcc.slice()
      b[at] = v
      expect(
        code(() => parseTpm2ToolsPcrFile(b)),
        `byte ${at.toString(16)}`,
      ).toBe('ERR_TPM_MALFORMED')
    }
    // A digest whose size is not the bank's (PCR 0 declared 20 bytes).
    const short = pcrsEcc.slice()
    short[0x8c] = 20
    expect(code(() => parseTpm2ToolsPcrFile(short))).toBe('ERR_TPM_MALFORMED')
  })
})
