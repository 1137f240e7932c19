/**
 * A small HTTP proxy between an agent and the collector that can misbehave on purpose, on a port
 * of its own that stays the agent's "collector URL" throughout a test:
 *  - down()/up(): nothing listens on the port (connection refused), then the collector is back;
 *  - next batch POST: forward it and lose the response (the collector accepted, the agent never
 *    hears), forward it and hold the response until the test says (to kill the agent mid-send),
 *    hold it before forwarding, or answer it with a canned response.
 * Every batch POST the collector answered is recorded with its status and body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export type Trick =
  | { kind: 'drop-response' }
  | { kind: 'hold-after-forward' }
  | { kind: 'hold-before-forward' }
  | { kind: 'answer'; status: number; body: string; contentType?: string }

export interface Forwarded {
  status: number
  body: { batchId?: string; duplicate?: boolean; code?: string } & Record<string, unknown>
  trick: Trick['kind'] | null
}

export class FlakyProxy {
  port = 0
  readonly forwarded: Forwarded[] = []
  /** GET .../nonce requests seen (nonce chaining should keep this near zero). */
  nonceRequests = 0
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  private readonly tricks: Trick[] = []
  private held: { release: () => void; promise: Promise<void> } | undefined
  private heldSignal: { resolve: () => void; promise: Promise<void> } = deferred()

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res))
    server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as { port: number }).port
    this.server = server
  }

  /** Stop listening and cut every connection: the port refuses connections from now on. */
  async down(): Promise<void> {
    const s = this.server
    this.server = undefined
    if (!s) return
    for (const c of this.sockets) c.destroy()
    await new Promise((r) => s.close(r))
  }

  /** Apply `t` to the next batch POST. */
  next(t: Trick): void {
    this.tricks.push(t)
  }

  /** Resolves when a batch POST is being held (after or before forwarding). */
  whenHeld(): Promise<void> {
    return this.heldSignal.promise
  }

  /** Let a held request go: its connection is cut, the response is never delivered. */
  release(): void {
    this.held?.release()
    this.held = undefined
  }

  batchPosts(): Forwarded[] {
    return this.forwarded
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = Buffer.concat(chunks)
    const isBatch = req.method === 'POST' && /\/batches$/.test(req.url ?? '')
    if (req.method === 'GET' && /\/nonce$/.test(req.url ?? '')) this.nonceRequests++
    const trick = isBatch ? this.tricks.shift() : undefined
    if (trick?.kind === 'answer') {
      res
        .writeHead(trick.status, {
          'content-type': trick.contentType ?? 'application/problem+json',
        })
        .end(trick.body)
      return
    }
    if (trick?.kind === 'hold-before-forward') {
      await this.hold()
      req.socket.destroy()
      return
    }
    let up: Response
    try {
      up = await fetch(new URL(req.url ?? '/', this.target), {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      })
    } catch {
      req.socket.destroy()
      return
    }
    const text = await up.text()
    if (isBatch) {
      let parsed: Forwarded['body'] = {}
      try {
        parsed = JSON.parse(text) as Forwarded['body']
      } catch {
        /* not JSON */
      }
      this.forwarded.push({ status: up.status, body: parsed, trick: trick?.kind ?? null })
    }
    if (trick?.kind === 'drop-response') {
      req.socket.destroy()
      return
    }
    if (trick?.kind === 'hold-after-forward') {
      await this.hold()
      req.socket.destroy()
      return
    }
    const headers: Record<string, string> = {
      'content-type': up.headers.get('content-type') ?? 'application/json',
    }
    const date = up.headers.get('date')
    if (date) headers.date = date
    res.writeHead(up.status, headers).end(text)
  }

  private hold(): Promise<void> {
    const d = deferred()
    this.held = { release: d.resolve, promise: d.promise }
    this.heldSignal.resolve()
    this.heldSignal = deferred()
    return d.promise
  }
}

function deferred(): { resolve: () => void; promise: Promise<void> } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { resolve, promise }
}
