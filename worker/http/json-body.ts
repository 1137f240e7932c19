/**
 * Read a request body as JSON with a hard size limit, before any parsing work: the limit applies to
 * the bytes actually streamed, not to Content-Length alone (which may be absent or wrong).
 */
import { concat } from '../../attest/bytes/encoding.ts'
import { AegisError } from '../../attest/errors.ts'

function tooLarge(maxBytes: number): AegisError {
  return new AegisError('ERR_INPUT_TOO_LARGE', `body exceeds ${maxBytes} bytes`, {
    detail: { maxBytes },
  })
}

async function readBodyBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) {
    throw tooLarge(maxBytes)
  }
  if (!req.body) return new Uint8Array(0)
  // A declared length within the limit: the HTTP layer delivers exactly that many bytes (a body
  // that does not match its Content-Length fails the read), so it is read in one call instead of
  // one awaited read per chunk; the size is checked again for a Request built in-process. Without
  // a declared length (chunked), the limit is counted as the body streams, below.
  if (declared !== null) {
    const bytes = new Uint8Array(await req.arrayBuffer())
    if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes)
    return bytes
  }
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let n = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    n += value.byteLength
    if (n > maxBytes) {
      await reader.cancel()
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  return concat(...chunks)
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const type = req.headers.get('content-type') ?? ''
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AegisError('ERR_INPUT_UNSUPPORTED_MEDIA', 'expected Content-Type: application/json')
  }
  const bytes = await readBodyBytes(req, maxBytes)
  try {
    return JSON.parse(UTF8.decode(bytes))
  } catch (e) {
    throw new AegisError('ERR_INPUT_MALFORMED', 'body is not valid UTF-8 JSON', { cause: e })
  }
}
