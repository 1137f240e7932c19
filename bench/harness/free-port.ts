/**
 * Free loopback ports, chosen by the OS (listen on port 0, read it back, close): never a fixed
 * port, so benchmarks and tests run side by side. A port can still be taken between the check
 * and its use; callers that spawn servers fail loudly on that rare race.
 * Leaves out IPv6 and non-loopback addresses.
 */
import { createServer } from 'node:net'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** Two consecutive free ports (a server on PORT, its inspector on PORT+1). */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort()
    if (p < 65535 && (await isFree(p + 1))) return p
  }
  throw new Error('no free port pair')
}
