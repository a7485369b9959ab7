/**
 * The slots a consensus state holds: a persistent map of slots by id that
 * also counts the pending ones (SLOTS_OPEN_MAX bounds them).
 */
import { PersistentMap } from './persistent-map.ts'
import type { SlotState } from './slot.ts'

/** Buckets for up to SLOTS_OPEN_MAX + SLOTS_RETAINED_MAX slots: a change copies 128 references and ~64 entries at most. */
const SLOT_BUCKETS = 128

/** An immutable table of slots by id; `set` and `delete` return a new table sharing the untouched buckets. */
export class SlotTable {
  private constructor (
    private readonly slots: PersistentMap<SlotState>,
    /** slots still pending */
    readonly pending: number
  ) {}

  static empty (): SlotTable {
    return new SlotTable(PersistentMap.empty(SLOT_BUCKETS), 0)
  }

  /** slots held */
  get size (): number {
    return this.slots.size
  }

  get (slotId: string): SlotState | undefined {
    return this.slots.get(slotId)
  }

  has (slotId: string): boolean {
    return this.slots.has(slotId)
  }

  /** A table with `slot` added or replaced. */
  set (slot: SlotState): SlotTable {
    const previous = this.slots.get(slot.slot)
    const pendingDelta = (slot.status === 'pending' ? 1 : 0) - (previous?.status === 'pending' ? 1 : 0)
    return new SlotTable(this.slots.set(slot.slot, slot), this.pending + pendingDelta)
  }

  /** A table without `slotId`. */
  delete (slotId: string): SlotTable {
    const previous = this.slots.get(slotId)
    if (previous === undefined) return this
    return new SlotTable(this.slots.delete(slotId), this.pending - (previous.status === 'pending' ? 1 : 0))
  }

  /** Every slot, in no particular order. */
  values (): IterableIterator<SlotState> {
    return this.slots.values()
  }
}
