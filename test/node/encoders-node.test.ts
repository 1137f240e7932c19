/**
 * attest's encoders in Node (the agent, the CLI and the bench's load generator): node:buffer
 * encodes, and gives the JavaScript reference's bytes (test/shared/encoders-equivalence.ts).
 */
import { describe, expect, it } from 'vitest'
import { ENCODER } from '../../attest/bytes/encoding.ts'
import { checkEncodersMatchReference } from '../helpers/encoders-equivalence.ts'

describe('encoders in Node', () => {
  it('encode with node:buffer, with the JavaScript reference bytes', () => {
    expect(ENCODER).toBe(
      typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64 === 'function'
        ? 'native'
        : 'node',
    )
    checkEncodersMatchReference()
  })
})
