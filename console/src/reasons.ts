/**
 * Plain-language reasons for the collector's stable error codes (attest/errors.ts), shown beside
 * the code wherever a rejection or refusal appears. The code stays the authority: anything not
 * listed shows the code alone.
 */
const REASONS: Record<string, string> = {
  ERR_GEO_OUTSIDE: 'The location fix lies outside every zone assigned to the agent.',
  ERR_GEO_ACCURACY:
    'The fix is inside a zone, but its accuracy radius reaches beyond the boundary.',
  ERR_GEO_STALE_FIX: 'The location fix is older than the policy allows.',
  ERR_GEO_SENSOR: 'The fix came from a sensor other than the one enrolled.',
  ERR_GEO_IMPOSSIBLE_TRAVEL: 'The implied speed since the last fix is not plausible.',
  ERR_GEO_COUNTRY: 'The request came from a country the zone does not allow.',
  ERR_GEO_NO_ZONE: 'The agent has no zone assigned.',
  ERR_GEO_INVALID_ZONE: 'The zone is not a valid GeoJSON Polygon or MultiPolygon.',
  ERR_QUOTE_SIGNATURE: 'The TPM quote signature does not verify with the agent’s AK.',
  ERR_QUOTE_SIGNER: 'The quote was made by another key than the enrolled AK.',
  ERR_QUOTE_NONCE: 'The quote does not bind the issued nonce and this payload.',
  ERR_QUOTE_CLOCK_UNSAFE: 'The TPM clock may have gone backwards.',
  ERR_PCR_POLICY: 'A PCR value is not allowed by the PCR policy (the boot state changed).',
  ERR_PCR_DIGEST: 'The PCR values do not hash to the quoted digest.',
  ERR_PCR_SELECTION: 'The quoted PCR selection differs from the policy’s.',
  ERR_PCR_MISSING: 'A selected PCR value was not supplied.',
  ERR_PCR_EXTRA: 'A PCR value was supplied that the quote does not cover.',
  ERR_NONCE_UNKNOWN: 'The nonce was never issued to this agent.',
  ERR_NONCE_EXPIRED: 'The nonce expired before the batch arrived.',
  ERR_NONCE_REPLAYED: 'The nonce was already used: a replay.',
  ERR_NONCE_LIMIT: 'Too many outstanding nonces for this agent.',
  ERR_SEQ_REPLAYED: 'The batch sequence number is not above the last accepted one.',
  ERR_CLOCK_ROLLBACK: 'The TPM clock or reset counters went backwards (a restored TPM state?).',
  ERR_BATCH_STALE: 'The batch was collected too long ago (or in the future).',
  ERR_PAYLOAD_MISMATCH: 'The payload names another agent than the URL.',
  ERR_AGENT_REVOKED: 'The agent is revoked.',
  ERR_AGENT_UNKNOWN: 'No such agent is enrolled.',
  ERR_CERT_CHAIN: 'The EK certificate does not chain to a trusted manufacturer root.',
  ERR_CERT_EK_MISMATCH: 'The EK certificate certifies another key than the EK.',
  ERR_EK_NOT_ALLOWED: 'The EK is not on the operator’s allowlist.',
  ERR_BUNDLE_HASH: 'The bundle bytes do not match their recorded hash.',
  ERR_BUNDLE_BINDING: 'The AK–EK activation record does not bind this AK to this EK.',
  ERR_BUNDLE_PAYLOAD: 'The payload does not match the batch id, agent or sequence.',
  ERR_BUNDLE_RECEIPT: 'The collector’s receipt does not match this batch, verdict or zone.',
  ERR_LOG_STH: 'The signed tree head does not verify with the collector’s keys.',
  ERR_LOG_PROOF: 'The bundle is not proven to be in the transparency log.',
  ERR_AUTH_MISSING: 'Sign in first: this needs a role token.',
  ERR_AUTH_INVALID:
    'The token was not accepted (expired, wrong issuer or audience, or unknown key).',
  ERR_AUTH_FORBIDDEN: 'Your role may not do this.',
  ERR_CONFIG_CONFLICT: 'Someone else changed this configuration meanwhile: reload and edit again.',
  ERR_INPUT_MALFORMED: 'The input is not valid.',
  ERR_TRUST_ROOTS: 'No usable trust root certificates.',
  ERR_NETWORK: 'The collector could not be reached.',
}

export function reasonFor(code: string | null | undefined): string {
  return (code && REASONS[code]) || ''
}
