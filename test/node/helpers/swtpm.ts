/**
 * Start a real software TPM for a test: a fresh state dir provisioned by swtpm_setup (RSA-2048 and
 * ECC P-384 EKs with certificates from the local swtpm CA, see shared/notes/tpm-on-swtpm.md), a
 * swtpm socket on free loopback ports, already started (startup-clear). Call stop() in afterAll.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { freePortPair } from '../../../bench/harness/free-port.ts'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface Swtpm {
  host: string
  port: number
  ctrlPort: number
  stateDir: string
  /** TCTI string for tpm2-tools: `swtpm:host=127.0.0.1,port=N`. */
  tcti: string
  /** `--tpm` value for the aegis agent. */
  agentTpm: string
  /** Run a tpm2-tools command against this TPM (flushes transient objects first). */
  tools(cmd: string, args: string[], opts?: { cwd?: string }): Buffer
  stop(): Promise<void>
}

export { freePortPair }

async function waitListening(port: number, ms = 5000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1')
      c.once('connect', () => (c.destroy(), resolve(true)))
      c.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`swtpm did not listen on ${port}`)
}

export async function startSwtpm(
  opts: { stateDir?: string; provision?: boolean; setupArgs?: string[] } = {},
): Promise<Swtpm> {
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), 'aegis-swtpm-'))
  const own = opts.stateDir === undefined
  if (opts.provision ?? own) {
    execFileSync(
      'swtpm_setup',
      [
        '--tpm2',
        '--tpmstate',
        stateDir,
        '--create-ek-cert',
        '--create-platform-cert',
        '--overwrite',
        ...(opts.setupArgs ?? []),
      ],
      { stdio: 'ignore' },
    )
  }
  const port = await freePortPair()
  const child: ChildProcess = spawn(
    'swtpm',
    [
      'socket',
      '--tpm2',
      '--tpmstate',
      `dir=${stateDir}`,
      '--server',
      `type=tcp,port=${port},bindaddr=127.0.0.1`,
      '--ctrl',
      `type=tcp,port=${port + 1},bindaddr=127.0.0.1`,
      '--flags',
      'not-need-init,startup-clear',
    ],
    { stdio: 'ignore' },
  )
  await waitListening(port)
  const tcti = `swtpm:host=127.0.0.1,port=${port}`
  return {
    host: '127.0.0.1',
    port,
    ctrlPort: port + 1,
    stateDir,
    tcti,
    agentTpm: `swtpm:host=127.0.0.1,port=${port}`,
    tools(cmd, args, o = {}) {
      const env = { ...process.env, TPM2TOOLS_TCTI: tcti }
      try {
        execFileSync('tpm2_flushcontext', ['-t'], { env, stdio: 'ignore' })
      } catch {
        /* nothing loaded */
      }
      return execFileSync(cmd, args, { env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    },
    async stop() {
      // A swtpm already dead of a signal (Ctrl-C reaches the whole process group) has a null
      // exitCode but a signalCode: waiting for its 'exit' again would wait forever.
      if (child.exitCode === null && child.signalCode === null) {
        const done = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
        await done
        clearTimeout(timer)
      }
      if (own) rmSync(stateDir, { recursive: true, force: true })
    },
  }
}
