/**
 * The slots a consensus state holds, as a persistent (copy-on-write) table.
 * A plain Map would have to be copied whole on every vote to keep old states
 * intact — 1,000 open slots made that the bulk of a vote's cost — so slots
 * are spread over fixed buckets and a change copies one bucket only.
 */
import type { SlotState } from './slot.ts'

/** Buckets of the table; a change copies this many references plus one bucket. */
const BUCKETS = 128

function bucketOf (slotId: string): number {
  // FNV-1a over the id: cheap, and spreads sequential ids such as gov/1, gov/2 evenly
  let h = 0x811c9dc5
  for (let i = 0; i < slotId.length; i++) {
    h ^= slotId.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % BUCKETS
}

const EMPTY_BUCKET: ReadonlyMap<string, SlotState> = new Map()

/** An immutable table of slots by id; `set` and `delete` return a new table sharing the untouched buckets. */
export class SlotTable {
  private constructor (
    private readonly buckets: ReadonlyArray<ReadonlyMap<string, SlotState>>,
    /** slots held */
    readonly size: number,
    /** slots still pending (SLOTS_OPEN_MAX bounds it) */
    readonly pending: number
  ) {}

  static empty (): SlotTable {
    return new SlotTable(new Array<ReadonlyMap<string, SlotState>>(BUCKETS).fill(EMPTY_BUCKET), 0, 0)
  }

  get (slotId: string): SlotState | undefined {
    return this.buckets[bucketOf(slotId)]!.get(slotId)
  }

  has (slotId: string): boolean {
    return this.get(slotId) !== undefined
  }

  /** A table with `slot` added or replaced. */
  set (slot: SlotState): SlotTable {
    const index = bucketOf(slot.slot)
    const previous = this.buckets[index]!.get(slot.slot)
    const bucket = new Map(this.buckets[index]!).set(slot.slot, slot)
    const buckets = [...this.buckets]
    buckets[index] = bucket
    const pendingDelta = (slot.status === 'pending' ? 1 : 0) - (previous?.status === 'pending' ? 1 : 0)
    return new SlotTable(buckets, this.size + (previous === undefined ? 1 : 0), this.pending + pendingDelta)
  }

  /** A table without `slotId`. */
  delete (slotId: string): SlotTable {
    const index = bucketOf(slotId)
    const previous = this.buckets[index]!.get(slotId)
    if (previous === undefined) return this
    const bucket = new Map(this.buckets[index]!)
    bucket.delete(slotId)
    const buckets = [...this.buckets]
    buckets[index] = bucket
    return new SlotTable(buckets, this.size - 1, this.pending - (previous.status === 'pending' ? 1 : 0))
  }

  /** Every slot, in no particular order. */
  * values (): IterableIterator<SlotState> {
    for (const bucket of this.buckets) yield * bucket.values()
  }
}
