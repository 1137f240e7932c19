/**
 * Quote verification benchmarks on the tpm2-tools vectors (shared/vectors/tpm2-tools): each
 * iteration parses the AK's TPM2B_PUBLIC and runs verifyQuote with the PCR digest check, i.e.
 * the pure part of the ingest hot path for one batch (PCR values arrive already decoded, as from
 * the batch JSON). Leaves out nonce bookkeeping and PCR policy. Runtime neutral: vectors come in
 * as `?bytes` imports, so the cases run in workerd.
 */
import type { BenchCase } from '../types.ts'
import akEccPub from '@shared/vectors/tpm2-tools/ak-ecc.pub?bytes'
import akRsaPub from '@shared/vectors/tpm2-tools/ak-rsa.pub?bytes'
import quoteEcc from '@shared/vectors/tpm2-tools/quote-ecc.attest?bytes'
import nonceEcc from '@shared/vectors/tpm2-tools/quote-ecc.nonce.hex?bytes'
import pcrsEcc from '@shared/vectors/tpm2-tools/quote-ecc.pcrs?bytes'
import sigEcc from '@shared/vectors/tpm2-tools/quote-ecc.sig?bytes'
import quoteRsa from '@shared/vectors/tpm2-tools/quote-rsa.attest?bytes'
import nonceRsa from '@shared/vectors/tpm2-tools/quote-rsa.nonce.hex?bytes'
import pcrsRsa from '@shared/vectors/tpm2-tools/quote-rsa.pcrs?bytes'
import sigRsa from '@shared/vectors/tpm2-tools/quote-rsa.sig?bytes'
import { fromHex, fromUtf8 } from '../../attest/bytes/encoding.ts'
import { verifyQuote, type QuoteResult } from '../../attest/quote/verify-quote.ts'
import { parseTpm2ToolsPcrFile } from '../../attest/tpm/pcr-file.ts'
import { parseTpm2bPublic } from '../../attest/tpm/public.ts'
import type { PcrValues } from '../../attest/tpm/types.ts'

interface QuoteCtx {
  akPub: Uint8Array
  attest: Uint8Array
  signature: Uint8Array
  nonce: Uint8Array
  pcrs: PcrValues
}

function quoteCase(
  name: string,
  iterations: number,
  v: { ak: Uint8Array; attest: Uint8Array; sig: Uint8Array; nonce: Uint8Array; pcrs: Uint8Array },
): BenchCase<QuoteCtx> {
  return {
    name,
    iterations,
    warmup: Math.ceil(iterations / 10),
    setup: () => ({
      akPub: v.ak,
      attest: v.attest,
      signature: v.sig,
      nonce: fromHex(fromUtf8(v.nonce).trim()),
      pcrs: parseTpm2ToolsPcrFile(v.pcrs).values,
    }),
    run: (c): QuoteResult =>
      verifyQuote({
        ak: parseTpm2bPublic(c.akPub),
        attest: c.attest,
        signature: c.signature,
        expectedExtraData: c.nonce,
        pcrs: c.pcrs,
      }),
  }
}

export const cases: BenchCase[] = [
  quoteCase('verify.quote.ecc-p256', 200, {
    ak: akEccPub,
    attest: quoteEcc,
    sig: sigEcc,
    nonce: nonceEcc,
    pcrs: pcrsEcc,
  }),
  quoteCase('verify.quote.rsa-2048', 1000, {
    ak: akRsaPub,
    attest: quoteRsa,
    sig: sigRsa,
    nonce: nonceRsa,
    pcrs: pcrsRsa,
  }),
  // Each case is typed by its own context; the list erases it, as bench/run.mjs treats them alike.
] as BenchCase[]
