/**
 * `aegis log sth|consistency --shard`: the tree head's JWS must name the shard asked for (heads
 * of the legacy log 'main' name none), and the stated `log` must be the signed one. Heads are
 * signed here with a fresh ES256 key, as the collector signs them (worker/tokens/sign-tree-head.ts).
 */
import { CompactSign, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { utf8 } from '../../attest/bytes/encoding.ts'
import { shardFlag, verifySth, type Sth } from '../../agent/cli/commands/log-sth.ts'
import { TREE_HEAD_TYP } from '../../attest/tokens/typ.ts'
import { codeAsync, NO_ERROR } from '../helpers/error-code.ts'

let keys: JSONWebKeySet
let sign: (head: Omit<Sth, 'signature'>) => Promise<Sth>

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256')
  keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }
  sign = async (head) => ({
    ...head,
    signature: await new CompactSign(utf8(JSON.stringify(head)))
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: TREE_HEAD_TYP })
      .sign(privateKey),
  })
})

const head = { treeSize: 3, rootHash: 'ab'.repeat(32), timestamp: 1_800_000_000_000 }

describe('log sth --shard', () => {
  it('accepts a head of the asked shard and refuses another shard, root or main', async () => {
    const dec = await sign({ ...head, log: '2026-12' })
    expect(await codeAsync(verifySth(dec, keys, '2026-12'))).toBe(NO_ERROR)
    expect(await codeAsync(verifySth(dec, keys))).toBe(NO_ERROR)
    expect(await codeAsync(verifySth(dec, keys, '2026-11'))).toBe('ERR_LOG_STH')
    expect(await codeAsync(verifySth(dec, keys, 'root'))).toBe('ERR_LOG_STH')
    expect(await codeAsync(verifySth(dec, keys, 'main'))).toBe('ERR_LOG_STH')
    // the stated log must be the signed one
    expect(await codeAsync(verifySth({ ...dec, log: '2026-11' }, keys, '2026-11'))).toBe(
      'ERR_LOG_STH',
    )
    const legacy = await sign(head)
    expect(await codeAsync(verifySth(legacy, keys, 'main'))).toBe(NO_ERROR)
    expect(await codeAsync(verifySth(legacy, keys, '2026-12'))).toBe('ERR_LOG_STH')
    const root = await sign({ ...head, log: 'root' })
    expect(await codeAsync(verifySth(root, keys, 'root'))).toBe(NO_ERROR)
  })

  it('takes only shard ids, main and root', () => {
    for (const ok of ['2026-12', '2026-12-04', 'main', 'root']) expect(shardFlag(ok)).toBe(ok)
    for (const bad of ['2026-1', 'shard:2026-12', '', 'ROOT', '2026-12&x=1']) {
      expect(() => shardFlag(bad), bad).toThrow('--shard must be')
    }
  })
})
