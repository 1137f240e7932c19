/**
 * Request bodies as JSON with a hard size limit (worker/http/json-body.ts), in workerd: a declared
 * Content-Length is read in one call, a body without one (chunked) is counted as it streams; both
 * refuse more than the limit, and the shared UTF-8 decoder still decodes after a malformed body.
 */
import { describe, expect, it } from 'vitest'
import { AegisError } from '../../../attest/errors.ts'
import { readJson } from '../../../worker/http/json-body.ts'

const URL = 'https://collector.test/v1/x'
const enc = new TextEncoder()

/** A body without a declared length: its bytes arrive in the given chunks. */
function streamed(chunks: Uint8Array[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const x of chunks) c.enqueue(x)
      c.close()
    },
  })
  return new Request(URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    // @ts-expect-error: duplex is required for a stream body in the fetch spec, not in the types
    duplex: 'half',
  })
}

/** A body with its length declared, as an HTTP client sends it (a Request built here has none). */
function declared(
  text: string | Uint8Array,
  type = 'application/json',
  length = typeof text === 'string' ? enc.encode(text).length : text.length,
): Request {
  return new Request(URL, {
    method: 'POST',
    headers: { 'content-type': type, 'content-length': String(length) },
    body: text,
  })
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; detail: unknown } | null> {
  try {
    await p
    return null
  } catch (e) {
    if (e instanceof AegisError) return { code: e.code, detail: e.detail }
    throw e
  }
}

describe('readJson', () => {
  it('reads a body of declared length, up to the limit exactly', async () => {
    const text = JSON.stringify({ a: 'x'.repeat(100) })
    const req = declared(text)
    expect(req.headers.get('content-length')).toBe(String(text.length))
    expect(await readJson(req, text.length)).toEqual({ a: 'x'.repeat(100) })
  })

  it('refuses a declared length over the limit before reading, and a body longer than declared', async () => {
    const text = JSON.stringify({ a: 'x'.repeat(100) })
    expect(await refusal(readJson(declared(text), text.length - 1))).toEqual({
      code: 'ERR_INPUT_TOO_LARGE',
      detail: { maxBytes: text.length - 1 },
    })
    // Only an in-process caller can declare less than it sends; the limit still holds.
    expect(await refusal(readJson(declared(text, 'application/json', 10), 50))).toEqual({
      code: 'ERR_INPUT_TOO_LARGE',
      detail: { maxBytes: 50 },
    })
  })

  it('counts a body without a declared length as it streams', async () => {
    const parts = ['{"a":', '"', 'y'.repeat(50), '"}'].map((s) => enc.encode(s))
    const n = parts.reduce((k, p) => k + p.length, 0)
    const req = streamed(parts)
    expect(req.headers.get('content-length')).toBeNull()
    expect(await readJson(req, n)).toEqual({ a: 'y'.repeat(50) })
    expect(await refusal(readJson(streamed(parts), n - 1))).toEqual({
      code: 'ERR_INPUT_TOO_LARGE',
      detail: { maxBytes: n - 1 },
    })
  })

  it('refuses another media type, malformed UTF-8 and malformed JSON, and decodes after', async () => {
    expect((await refusal(readJson(declared('{}', 'text/plain'), 100)))?.code).toBe(
      'ERR_INPUT_UNSUPPORTED_MEDIA',
    )
    const badUtf8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])
    expect((await refusal(readJson(declared(badUtf8), 100)))?.code).toBe('ERR_INPUT_MALFORMED')
    expect((await refusal(readJson(declared('{"a":'), 100)))?.code).toBe('ERR_INPUT_MALFORMED')
    expect(await readJson(declared('{"a":"é"}', 'application/merge-patch+json'), 100)).toEqual({
      a: 'é',
    })
  })
})
