/**
 * The shapes a command goes through between a command file and the transport: which handles it
 * names, how each one needing authorization is authorized, its marshalled parameters, and what
 * comes back. Only password and policy sessions exist here: the client never runs HMAC sessions,
 * parameter encryption or audit (see agent/tpm/README.md).
 * TPM 2.0 Part 1 §18 (command/response structure), §19.6 (authorization area).
 */
import type { ByteReader } from '../../../attest/bytes/reader.ts'

/**
 * How a handle that needs authorization is authorized: the password session TPM_RS_PW with an
 * authValue (empty by default), or a policy session already satisfied for this command.
 */
export type Authorization =
  { type: 'password'; auth?: Uint8Array } | { type: 'policy'; session: number }

export const PASSWORD: Authorization = { type: 'password' }

export interface CommandRequest {
  /** TPM_CC */
  code: number
  /** The handle area, in the order Part 3 lists it for the command. */
  handles?: number[]
  /** One per handle with an authorization role (Part 3 "Auth Index"), in handle order. */
  auths?: Authorization[]
  /** Marshalled parameter area. */
  params?: Uint8Array
  /** How many handles the response's handle area holds (Part 3 response table). */
  responseHandles?: number
}

export interface CommandResult {
  handles: number[]
  /** Cursor over exactly the response parameter area; call `end()` after reading it. */
  params: ByteReader
}

/** What command files need from the client: run one command, answer or ERR_TPM_RESPONSE. */
export interface TpmExecutor {
  execute(req: CommandRequest): Promise<CommandResult>
}
