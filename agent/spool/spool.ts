/**
 * The agent's durable outbox (docs/agent.md "Spool"). A batch is appended (fsynced) before any
 * attempt to send it and leaves only when settled: accepted by the collector (202, or 200 for a
 * retry it had already accepted), permanently rejected, or dropped oldest-first when the spool
 * exceeds its limits (counted). Entries are handed out strictly in seq order, one at a time: the
 * sender claims the head, and the claimed entry is never dropped under it. Counters are exact
 * across crashes (spool-meta.ts explains how). One process owns a spool (the state-dir lock);
 * within it, mutations are serialised.
 * Leaves out concurrent senders and reordering: order is what the collector's seq check needs.
 */
import { AegisError } from '../../attest/errors.ts'
import { fromUtf8 } from '../../attest/bytes/encoding.ts'
import {
  listEntries,
  quarantineEntry,
  readEntry,
  removeEntries,
  writeEntry,
  type EntryInfo,
} from './spool-files.ts'
import { loadMeta, saveMeta, type SpoolCounters, type SpoolMeta } from './spool-meta.ts'

export interface SpoolLimits {
  maxBatches: number
  maxBytes: number
}

export interface SpoolEntry {
  seq: number
  bytes: Uint8Array
}

export type Settlement = { kind: 'accepted' } | { kind: 'rejected'; code: string }

export class Spool {
  private tail: Promise<unknown> = Promise.resolve()
  private claimed: number | undefined

  private constructor(
    readonly dir: string,
    private readonly limits: SpoolLimits,
    private meta: SpoolMeta,
    private entries: EntryInfo[],
  ) {}

  /** Open (creating) a spool directory and finish whatever a crash interrupted. */
  static async open(dir: string, limits: SpoolLimits): Promise<Spool> {
    let entries = await listEntries(dir, { repair: true })
    const meta = await loadMeta(dir)
    const pending = new Set(meta.pendingDrop)
    const done = entries.filter((e) => e.seq <= meta.lastSettledSeq || pending.has(e.seq))
    await removeEntries(
      dir,
      done.map((e) => e.seq),
    )
    entries = entries.filter((e) => !done.includes(e))
    const uncounted = entries.filter((e) => e.seq > meta.lastProducedSeq)
    const changed = done.length > 0 || uncounted.length > 0 || meta.pendingDrop.length > 0
    meta.produced += uncounted.length
    meta.lastProducedSeq = entries.reduce((m, e) => Math.max(m, e.seq), meta.lastProducedSeq)
    meta.pendingDrop = []
    if (changed) await saveMeta(dir, meta)
    return new Spool(dir, limits, meta, entries)
  }

  get depth(): number {
    return this.entries.length
  }

  get bytes(): number {
    return this.entries.reduce((a, e) => a + e.size, 0)
  }

  /** The highest seq this spool has seen: a new entry must be above it. */
  get highWater(): number {
    return Math.max(this.meta.lastProducedSeq, this.meta.lastSettledSeq)
  }

  /** The seqs waiting, oldest first. */
  seqs(): number[] {
    return this.entries.map((e) => e.seq)
  }

  counters(): SpoolCounters {
    const { produced, accepted, rejected, dropped, quarantined, rejectedByCode } = this.meta
    return {
      produced,
      accepted,
      rejected,
      dropped,
      quarantined,
      rejectedByCode: { ...rejectedByCode },
    }
  }

  /**
   * Durably add a batch (the file is on disk when this resolves), then enforce the limits by
   * dropping the oldest unclaimed entries, the new one last. Returns the seqs dropped.
   */
  append(seq: number, bytes: Uint8Array): Promise<{ dropped: number[] }> {
    return this.serial(async () => {
      if (!Number.isSafeInteger(seq) || seq <= this.highWater) {
        throw new AegisError('ERR_INTERNAL', `spool seq ${seq} is not above ${this.highWater}`)
      }
      await writeEntry(this.dir, seq, bytes)
      this.entries.push({ seq, size: bytes.length })
      const drop: number[] = []
      let count = this.entries.length
      let size = this.bytes
      for (const e of this.entries) {
        if (count <= this.limits.maxBatches && size <= this.limits.maxBytes) break
        if (e.seq === this.claimed) continue
        drop.push(e.seq)
        count--
        size -= e.size
      }
      const m: SpoolMeta = {
        ...this.meta,
        produced: this.meta.produced + 1,
        lastProducedSeq: seq,
        dropped: this.meta.dropped + drop.length,
        pendingDrop: drop,
      }
      await saveMeta(this.dir, m)
      this.meta = m
      if (drop.length) {
        await removeEntries(this.dir, drop)
        this.entries = this.entries.filter((e) => !drop.includes(e.seq))
      }
      return { dropped: drop }
    })
  }

  /**
   * Claim the oldest entry for sending (undefined when empty). An entry whose bytes are not a
   * JSON object with its own seq is moved to spool/corrupt/ and the next one is claimed.
   */
  claimHead(): Promise<SpoolEntry | undefined> {
    return this.serial(async () => {
      for (;;) {
        const head = this.entries[0]
        if (!head) return undefined
        const bytes = await readEntry(this.dir, head.seq)
        if (payloadSeq(bytes) === head.seq) {
          this.claimed = head.seq
          return { seq: head.seq, bytes }
        }
        await quarantineEntry(this.dir, head.seq)
        const m = {
          ...this.meta,
          quarantined: this.meta.quarantined + 1,
          lastSettledSeq: head.seq,
          pendingDrop: [],
        }
        await saveMeta(this.dir, m)
        this.meta = m
        this.entries.shift()
      }
    })
  }

  /** Give the claimed entry back unsettled (it stays at the head and is retried). */
  release(): void {
    this.claimed = undefined
  }

  /**
   * Record the claimed entry's outcome, then remove it. The mark is written first: a crash
   * between the two removes the entry on open rather than sending it again.
   */
  settle(seq: number, outcome: Settlement): Promise<void> {
    return this.serial(async () => {
      if (this.claimed !== seq || this.entries[0]?.seq !== seq) {
        throw new AegisError('ERR_INTERNAL', `spool entry ${seq} is not the claimed head`)
      }
      const m: SpoolMeta = { ...this.meta, lastSettledSeq: seq, pendingDrop: [] }
      if (outcome.kind === 'accepted') m.accepted++
      else {
        m.rejected++
        m.rejectedByCode = {
          ...m.rejectedByCode,
          [outcome.code]: (m.rejectedByCode[outcome.code] ?? 0) + 1,
        }
      }
      await saveMeta(this.dir, m)
      this.meta = m
      await removeEntries(this.dir, [seq])
      this.entries.shift()
      this.claimed = undefined
    })
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task)
    this.tail = next.catch(() => undefined)
    return next
  }
}

function payloadSeq(bytes: Uint8Array): number | undefined {
  try {
    const v = JSON.parse(fromUtf8(bytes, 'spool entry')) as { seq?: unknown }
    return typeof v === 'object' && v !== null && typeof v.seq === 'number' ? v.seq : undefined
  } catch {
    return undefined
  }
}
