// The Wasm ECDSA backend's cache-slot policy (attest/crypto/ecdsa-wasm.ts, SlotPolicy): which key
// gets a slot, which verifies uncached (-1), and that round-robin traffic over more keys than
// slots settles instead of refilling a slot on every call (the LRU it replaced did).
import { describe, expect, it } from 'vitest'
import { SlotPolicy } from '../../attest/crypto/ecdsa-wasm.ts'

const SIZE = 4
const key = (i: number) => `k${i}`

/** Runs `rounds` rounds over `n` keys in turn; counts calls that were given a slot whose key changed. */
function roundRobin(p: SlotPolicy, n: number, rounds: number) {
  const holder = new Map<number, string>()
  let refills = 0
  let cached = 0
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < n; i++) {
      const s = p.slotFor(key(i))
      if (s < 0) continue
      cached++
      if (holder.get(s) !== key(i)) refills++
      holder.set(s, key(i))
    }
  }
  return { refills, cached, holder }
}

describe('SlotPolicy', () => {
  it('gives distinct slots in range while there are free ones, and the same slot on a hit', () => {
    const p = new SlotPolicy(SIZE)
    const got = [0, 1, 2, 3].map((i) => p.slotFor(key(i)))
    expect(new Set(got).size).toBe(SIZE)
    for (const s of got) expect(s >= 0 && s < SIZE).toBe(true)
    expect([0, 1, 2, 3].map((i) => p.slotFor(key(i)))).toEqual(got)
  })

  it('round robin over four times the slots: the first keys keep their slots, the rest go uncached', () => {
    const p = new SlotPolicy(SIZE)
    const { refills, cached, holder } = roundRobin(p, 4 * SIZE, 50)
    // Only the first fills: no slot ever changes hands (an LRU would refill on every call: 800).
    expect(refills).toBe(SIZE)
    expect(cached).toBe(SIZE * 50)
    expect([...holder.values()].sort()).toEqual([0, 1, 2, 3].map(key).sort())
  })

  it('a key asked for more often than the least recently used one takes its slot', () => {
    const p = new SlotPolicy(SIZE)
    for (let i = 0; i < SIZE; i++) p.slotFor(key(i))
    // k9 misses once: same count as the cached keys, so uncached
    expect(p.slotFor(key(9))).toBe(-1)
    // asked again before the others come round: now more often than k0 (the LRU), so it evicts it
    const s = p.slotFor(key(9))
    expect(s).toBeGreaterThanOrEqual(0)
    expect(p.slotFor(key(9))).toBe(s)
    // k0 lost its slot; back and asked for twice, more often than k1 (now the least recently used
    // and asked once), it takes k1's slot
    const s0 = p.slotFor(key(0))
    expect(s0).toBeGreaterThanOrEqual(0)
    expect(s0).not.toBe(s)
    // a newcomer's first ask does not outrank k2 (now the least recently used, asked for once)
    expect(p.slotFor(key(50))).toBe(-1)
  })

  it('ageing lets a fleet whose mix changed win slots again', () => {
    const p = new SlotPolicy(SIZE)
    // Old favourites, asked for many times
    for (let r = 0; r < 40; r++) for (let i = 0; i < SIZE; i++) p.slotFor(key(i))
    // The mix changes: only new keys from now on. Without ageing their counts would need 40
    // rounds to pass the old ones; with it they get slots within a few.
    const fresh = [100, 101, 102, 103]
    let rounds = 0
    while (rounds < 40 && !fresh.map((i) => p.slotFor(key(i))).every((s) => s >= 0)) rounds++
    expect(rounds).toBeLessThan(20)
    for (const i of fresh) expect(p.slotFor(key(i))).toBeGreaterThanOrEqual(0)
  })

  it('forget frees the slot for the next key and forgets the count', () => {
    const p = new SlotPolicy(SIZE)
    const slots = [0, 1, 2, 3].map((i) => p.slotFor(key(i)))
    p.forget(key(2))
    expect(p.slotFor(key(7))).toBe(slots[2])
    // forgetting an unknown key changes nothing
    p.forget('nobody')
    expect(p.slotFor(key(8))).toBe(-1)
  })

  it('counts stay bounded under a long tail of keys seen once', () => {
    const p = new SlotPolicy(SIZE)
    for (let i = 0; i < 100_000; i++) p.slotFor(key(1000 + i))
    const counted = (p as unknown as { counts: Map<string, number> }).counts.size
    expect(counted).toBeLessThanOrEqual(64 * SIZE + 1)
  })
})
