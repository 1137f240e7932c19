/**
 * The shared checks of attest's encoders (attest/bytes/encoding.ts) against their JavaScript
 * reference, run by a test in each runtime the encoders pick a different path in: workerd
 * (native Uint8Array methods) and Node (node:buffer).
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import {
  fromB64url,
  fromHex,
  jsFromHex,
  jsToB64url,
  jsToHex,
  toB64url,
  toHex,
} from '../../attest/bytes/encoding.ts'

export function checkEncodersMatchReference(): void {
  // Every length around the base64 group and hex boundaries, and bundle-sized inputs.
  const sizes = [...Array.from({ length: 70 }, (_, i) => i), 650, 4096, 100_003]
  for (const n of sizes) {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(b.subarray(i, i + 65536))
    expect(toB64url(b), `base64url of ${n} bytes`).toBe(jsToB64url(b))
    expect(toHex(b), `hex of ${n} bytes`).toBe(jsToHex(b))
    expect(fromHex(toHex(b)), `hex back, ${n} bytes`).toEqual(b)
    expect(fromB64url(toB64url(b)), `base64url back, ${n} bytes`).toEqual(b)
  }
  // A view into a larger buffer encodes only its own bytes.
  const whole = crypto.getRandomValues(new Uint8Array(100))
  const view = whole.subarray(13, 57)
  expect(toB64url(view)).toBe(jsToB64url(whole.slice(13, 57)))
  expect(toHex(view)).toBe(jsToHex(whole.slice(13, 57)))
  // Upper-case hex decodes to the same bytes; what fromHex returns owns its bytes.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const upper = jsToHex(b).toUpperCase()
      expect(fromHex(upper)).toEqual(jsFromHex(upper))
      const out = fromHex(jsToHex(b))
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype)
      expect([out.byteOffset, out.buffer.byteLength]).toEqual([0, b.length])
    }),
  )
}
