/**
 * The inbound gossip queue: one bounded queue per data class and at most
 * `VALIDATIONS_IN_FLIGHT_MAX` validations running at once, taken from the
 * classes in turn (round robin), so a flood on one class neither grows memory
 * without bound nor starves the other classes.
 *
 * Each queue is bounded by entries and by bytes. What happens at the bound
 * depends on the class (`IngressPolicy.drop`):
 * - `oldest`: the oldest queued message goes. Metrics reports and summaries
 *   are snapshots a newer one of the same member supersedes, so under
 *   pressure the newest are the ones worth validating.
 * - `newest`: the arriving message is refused and everything queued stays.
 *   Votes (and the other step-by-step classes) never supersede one another:
 *   each earlier vote is needed to decide its slot, so a flood must never
 *   push out votes already queued; a vote refused at the bound is IGNOREd
 *   (no penalty to the forwarder) and comes back through sync from its
 *   origin's log.
 * Either way the dropped message is reported IGNORE to gossipsub (it is not
 * forwarded, and nobody is punished for our load) and counted.
 */
import { assert } from '../core/errors.ts'

/** Validations (decode → … → signature → commit) running at once, over every data class. */
export const VALIDATIONS_IN_FLIGHT_MAX = 32

/** How one data class's queue is bounded. */
export interface IngressPolicy {
  /** messages queued at most */
  entriesMax: number
  /** bytes of queued message data at most */
  bytesMax: number
  /** which message goes at the bound (see the file comment) */
  drop: 'oldest' | 'newest'
}

const MIB = 1024 * 1024

/** Classes whose newer messages supersede older ones: drop the oldest at the bound. */
const SNAPSHOT_POLICY: IngressPolicy = { entriesMax: 1024, bytesMax: 16 * MIB, drop: 'oldest' }
/** Classes where every message counts (votes decide slots): never drop a queued one; refuse new ones at the bound. */
const STEP_POLICY: IngressPolicy = { entriesMax: 4096, bytesMax: 32 * MIB, drop: 'newest' }

/** Queue bounds by data class; a class not named here (the sim's load class) gets `INGRESS_POLICY_DEFAULT`. */
export const INGRESS_POLICIES: Readonly<Record<string, IngressPolicy>> = {
  aggregated_metrics: SNAPSHOT_POLICY,
  summary: SNAPSHOT_POLICY,
  audit_checkpoint: SNAPSHOT_POLICY,
  vote: STEP_POLICY,
  attestation: STEP_POLICY
}
export const INGRESS_POLICY_DEFAULT: IngressPolicy = SNAPSHOT_POLICY

/** The policy of a data class. */
export function ingressPolicy (dataClass: string): IngressPolicy {
  return INGRESS_POLICIES[dataClass] ?? INGRESS_POLICY_DEFAULT
}

/** A FIFO with O(1) push and shift (an array with a moving head, compacted now and then). */
class Fifo<T> {
  private items: T[] = []
  private head = 0

  get length (): number {
    return this.items.length - this.head
  }

  push (item: T): void {
    this.items.push(item)
  }

  shift (): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined as T
    this.head++
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
}

interface ClassQueue<T> {
  dataClass: string
  policy: IngressPolicy
  fifo: Fifo<{ item: T, bytes: number }>
  bytes: number
}

/** What the queue tells its owner (counters, gossipsub reports). */
export interface IngressHooks<T> {
  /** runs one message to its verdict; the queue counts it in flight until this settles */
  run: (item: T, dataClass: string) => Promise<void>
  /** a message dropped at the bound (`queue_full`) */
  drop: (item: T, dataClass: string) => void
  /** the depth of a class's queue changed */
  depth?: (dataClass: string, entries: number, bytes: number) => void
  /** the number of validations in flight changed */
  inFlight?: (count: number) => void
}

export interface IngressQueueInit {
  /** default VALIDATIONS_IN_FLIGHT_MAX */
  inFlightMax?: number
  /** default `ingressPolicy` */
  policy?: (dataClass: string) => IngressPolicy
}

/** Bounded per-class queues feeding at most `inFlightMax` runs. */
export class IngressQueue<T> {
  private readonly hooks: IngressHooks<T>
  private readonly inFlightMax: number
  private readonly policyOf: (dataClass: string) => IngressPolicy
  private readonly queues = new Map<string, ClassQueue<T>>()
  /** round-robin order over the classes */
  private readonly order: Array<ClassQueue<T>> = []
  private cursor = 0
  private running = 0
  /** messages dropped at a bound, since start */
  dropped = 0

  constructor (hooks: IngressHooks<T>, init: IngressQueueInit = {}) {
    this.hooks = hooks
    this.inFlightMax = init.inFlightMax ?? VALIDATIONS_IN_FLIGHT_MAX
    this.policyOf = init.policy ?? ingressPolicy
    assert(Number.isInteger(this.inFlightMax) && this.inFlightMax > 0, 'ingress queue: at least one validation in flight')
  }

  /** Validations running now. */
  get inFlight (): number {
    return this.running
  }

  /** Queued messages and bytes of a class. */
  depth (dataClass: string): { entries: number, bytes: number } {
    const queue = this.queues.get(dataClass)
    return { entries: queue?.fifo.length ?? 0, bytes: queue?.bytes ?? 0 }
  }

  /** Queued bytes over every class. */
  get queuedBytes (): number {
    let bytes = 0
    for (const queue of this.order) bytes += queue.bytes
    return bytes
  }

  /** Takes a message of `bytes` bytes; it runs at once when a slot is free, else waits in its class's queue (or is dropped at the bound). */
  offer (dataClass: string, item: T, bytes: number): void {
    const queue = this.queueOf(dataClass)
    if (this.running < this.inFlightMax && queue.fifo.length === 0) {
      this.start(item, dataClass)
      return
    }
    const { policy } = queue
    if (policy.drop === 'newest' && (queue.fifo.length >= policy.entriesMax || queue.bytes + bytes > policy.bytesMax)) {
      this.dropOne(queue, item)
      this.hooks.depth?.(dataClass, queue.fifo.length, queue.bytes)
      return
    }
    queue.fifo.push({ item, bytes })
    queue.bytes += bytes
    while (policy.drop === 'oldest' && queue.fifo.length > 1 && (queue.fifo.length > policy.entriesMax || queue.bytes > policy.bytesMax)) {
      const oldest = queue.fifo.shift()!
      queue.bytes -= oldest.bytes
      this.dropOne(queue, oldest.item)
    }
    this.hooks.depth?.(dataClass, queue.fifo.length, queue.bytes)
  }

  private dropOne (queue: ClassQueue<T>, item: T): void {
    this.dropped++
    this.hooks.drop(item, queue.dataClass)
  }

  private queueOf (dataClass: string): ClassQueue<T> {
    let queue = this.queues.get(dataClass)
    if (queue === undefined) {
      queue = { dataClass, policy: this.policyOf(dataClass), fifo: new Fifo(), bytes: 0 }
      this.queues.set(dataClass, queue)
      this.order.push(queue)
    }
    return queue
  }

  private start (item: T, dataClass: string): void {
    this.running++
    this.hooks.inFlight?.(this.running)
    let run: Promise<void>
    try {
      run = this.hooks.run(item, dataClass)
    } catch (err) {
      run = Promise.reject(err)
    }
    // `run` reports its own verdict; a throw here is a bug in the hook, never a reason to stall the queue
    void run.catch(() => {}).finally(() => {
      this.running--
      this.hooks.inFlight?.(this.running)
      this.next()
    })
  }

  /** Starts queued messages while slots are free, one class after another. */
  private next (): void {
    while (this.running < this.inFlightMax) {
      const queue = this.nextNonEmpty()
      if (queue === undefined) return
      const entry = queue.fifo.shift()!
      queue.bytes -= entry.bytes
      this.hooks.depth?.(queue.dataClass, queue.fifo.length, queue.bytes)
      this.start(entry.item, queue.dataClass)
    }
  }

  private nextNonEmpty (): ClassQueue<T> | undefined {
    for (let tried = 0; tried < this.order.length; tried++) {
      const queue = this.order[this.cursor % this.order.length]!
      this.cursor = (this.cursor + 1) % this.order.length
      if (queue.fifo.length > 0) return queue
    }
    return undefined
  }
}
