/**
 * Name matching for path building (RFC 5280 §7.1): the same RDNs match whatever string type
 * encodes them and regardless of case and repeated spaces; other differences do not. Real case:
 * STMicro's ECC intermediates name "STM TPM ECC Root CA 01" in UTF8String, the root itself in
 * PrintableString (trust/tpm-vendors, checked in test/node/ek-corpus.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { fromHex } from '../../../attest/bytes/encoding.ts'
import { namesEqual } from '../../../attest/x509/name.ts'

// SEQUENCE { SET { SEQUENCE { 2.5.4.3, <string> } } }
const cn = (tag: number, text: string) => {
  const v = new TextEncoder().encode(text)
  const ava = Uint8Array.of(0x30, 7 + v.length, 0x06, 0x03, 0x55, 0x04, 0x03, tag, v.length, ...v)
  const set = Uint8Array.of(0x31, ava.length, ...ava)
  return Uint8Array.of(0x30, set.length, ...set)
}

describe('namesEqual', () => {
  it('matches PrintableString and UTF8String spellings of the same name', () => {
    expect(namesEqual(cn(0x13, 'STM TPM ECC Root CA 01'), cn(0x0c, 'STM TPM ECC Root CA 01'))).toBe(
      true,
    )
    expect(namesEqual(cn(0x13, 'Abc Root'), cn(0x0c, ' abc   ROOT '))).toBe(true)
  })
  it('does not match another name, another attribute type or garbage', () => {
    expect(namesEqual(cn(0x13, 'Abc Root'), cn(0x13, 'Abc Root 2'))).toBe(false)
    const o = cn(0x13, 'Abc Root')
    o[8] = 0x0a // 2.5.4.10 (O) instead of 2.5.4.3 (CN)
    expect(namesEqual(cn(0x13, 'Abc Root'), o)).toBe(false)
    expect(namesEqual(cn(0x13, 'Abc Root'), fromHex('3003020100'))).toBe(false)
  })
})
