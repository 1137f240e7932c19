/**
 * The agent's TPM 2.0 client: frames commands, sends them over a TpmTransport, unframes responses
 * (any non-zero response code is ERR_TPM_RESPONSE), and offers one method per command; each
 * command's marshalling lives in commands/<command>.ts. Higher-level operations (EK, AK,
 * activation, quote) are in ek.ts, ak.ts, activate.ts and quote.ts.
 * Leaves out HMAC sessions, parameter encryption and audit (see README.md), and an operation-level
 * lock: the transport serialises single commands; callers run multi-command operations one at a
 * time (swtpm has no resource manager, so concurrent operations could exhaust its 3 object slots).
 * TPM 2.0 Part 1 §18 (command/response structure), Part 3 (commands).
 */
import { isAegisError } from '../../attest/errors.ts'
import type { HashAlg, PcrSelection } from '../../attest/tpm/types.ts'
import { TPM_PT } from './constants.ts'
import { activateCredentialCommand } from './commands/activate-credential.ts'
import { create } from './commands/create.ts'
import { createPrimary } from './commands/create-primary.ts'
import { evictControl } from './commands/evict-control.ts'
import { flushContext } from './commands/flush-context.ts'
import { getHandles, getPcrBanks, getTpmProperties } from './commands/get-capability.ts'
import { load } from './commands/load.ts'
import { nvRead } from './commands/nv-read.ts'
import { nvReadPublic } from './commands/nv-read-public.ts'
import { pcrExtend } from './commands/pcr-extend.ts'
import { pcrRead } from './commands/pcr-read.ts'
import { policyGetDigest } from './commands/policy-get-digest.ts'
import { policyOr } from './commands/policy-or.ts'
import { policySecret } from './commands/policy-secret.ts'
import { quoteCommand } from './commands/quote.ts'
import { readPublic } from './commands/read-public.ts'
import { startPolicySession } from './commands/start-auth-session.ts'
import { startup } from './commands/startup.ts'
import { buildCommand } from './framing/build-command.ts'
import type { CommandRequest, CommandResult, TpmExecutor } from './framing/command-types.ts'
import { parseResponse } from './framing/parse-response.ts'
import { RC } from './response-code.ts'
import { openTransport } from './transport/open-transport.ts'
import type { TpmTransport, TransportOptions } from './transport/transport.ts'

const RETRYABLE = new Set<number>([RC.RETRY, RC.YIELDED, RC.TESTING])
const RETRY_DELAYS_MS = [0, 10, 20, 50, 100, 200, 500, 1000]

type Rest<F> = F extends (tpm: TpmExecutor, ...rest: infer R) => infer O ? (...rest: R) => O : never

export class Tpm implements TpmExecutor {
  private nvBufferMaxCache: number | undefined

  constructor(readonly transport: TpmTransport) {}

  /** Open a transport from a spec (`swtpm:host=H,port=P`, `device:/dev/tpmrm0`). */
  static async open(spec: string, opts: TransportOptions = {}): Promise<Tpm> {
    return new Tpm(await openTransport(spec, opts))
  }

  async execute(req: CommandRequest): Promise<CommandResult> {
    const cmd = buildCommand(req)
    const expect = { handles: req.responseHandles ?? 0, sessions: req.auths?.length ?? 0 }
    for (let attempt = 0; ; attempt++) {
      try {
        return parseResponse(await this.transport.send(cmd), req.code, expect)
      } catch (e) {
        // TPM_RC_RETRY / YIELDED / TESTING are warnings meaning "send it again" (Part 2 TPM_RC);
        // swtpm was seen to answer RETRY to a Quote right after the AK was persisted.
        const rc = isAegisError(e) && e.code === 'ERR_TPM_RESPONSE' ? e.detail?.rc : undefined
        if (attempt >= RETRY_DELAYS_MS.length || !RETRYABLE.has(rc as number)) throw e
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]))
      }
    }
  }

  close(): Promise<void> {
    return this.transport.close()
  }

  startup: Rest<typeof startup> = () => startup(this)
  getTpmProperties: Rest<typeof getTpmProperties> = (first, count) =>
    getTpmProperties(this, first, count)
  getHandles: Rest<typeof getHandles> = (first) => getHandles(this, first)
  getPcrBanks: Rest<typeof getPcrBanks> = () => getPcrBanks(this)
  createPrimary: Rest<typeof createPrimary> = (args) => createPrimary(this, args)
  create: Rest<typeof create> = (args) => create(this, args)
  load: Rest<typeof load> = (args) => load(this, args)
  readPublic: Rest<typeof readPublic> = (handle) => readPublic(this, handle)
  nvReadPublic: Rest<typeof nvReadPublic> = (index) => nvReadPublic(this, index)
  nvRead: Rest<typeof nvRead> = (args) => nvRead(this, args)
  evictControl: Rest<typeof evictControl> = (args) => evictControl(this, args)
  startPolicySession: Rest<typeof startPolicySession> = (hashAlg: HashAlg) =>
    startPolicySession(this, hashAlg)
  policySecret: Rest<typeof policySecret> = (args) => policySecret(this, args)
  policyOr: Rest<typeof policyOr> = (session, digests) => policyOr(this, session, digests)
  policyGetDigest: Rest<typeof policyGetDigest> = (session) => policyGetDigest(this, session)
  activateCredential: Rest<typeof activateCredentialCommand> = (args) =>
    activateCredentialCommand(this, args)
  quote: Rest<typeof quoteCommand> = (args) => quoteCommand(this, args)
  pcrRead: Rest<typeof pcrRead> = (selection: readonly PcrSelection[]) => pcrRead(this, selection)
  pcrExtend: Rest<typeof pcrExtend> = (index, digests) => pcrExtend(this, index, digests)
  flushContext: Rest<typeof flushContext> = (handle) => flushContext(this, handle)

  /** TPM_PT_NV_BUFFER_MAX: the largest single NV_Read. Asked once per client. */
  async nvBufferMax(): Promise<number> {
    if (this.nvBufferMaxCache === undefined) {
      const props = await this.getTpmProperties(TPM_PT.NV_BUFFER_MAX, 1)
      // A TPM that does not report it gets small, conservative reads.
      this.nvBufferMaxCache = props.get(TPM_PT.NV_BUFFER_MAX) ?? 512
    }
    return this.nvBufferMaxCache
  }

  /**
   * Run `fn` with a transient object or session, then flush it whether `fn` succeeded or not.
   * A failed flush never hides `fn`'s own error.
   */
  async withFlushed<T>(handle: number, fn: (handle: number) => Promise<T>): Promise<T> {
    let result: T
    try {
      result = await fn(handle)
    } catch (e) {
      await this.flushContext(handle).catch(() => undefined)
      throw e
    }
    await this.flushContext(handle)
    return result
  }
}
