/**
 * One step's accumulator: the state so far, the records to write and the
 * messages to send. Each record changed in a step is written once, last, in
 * its final form; releases and facts are written in the order they happen.
 */
import { assert } from '../errors.ts'
import { FINISHED_PHASES, type AdherenceKind, type ChainContext, type ChainMessage, type ChainNodeState, type ChainPhase, type ChainRecord, type ChainStepResult, type ChainWrite, type Outbound, type StepOutcome } from './state.ts'

export class Step {
  private readonly changed = new Map<string, ChainRecord>()
  private readonly other: ChainWrite[] = []
  readonly outbound: Outbound[] = []

  constructor (public state: ChainNodeState, readonly ctx: ChainContext) {}

  get self (): string {
    return this.state.node
  }

  /** The record as changed so far in this step. */
  get (id: string): ChainRecord | undefined {
    return this.changed.get(id) ?? this.state.chains.get(id)
  }

  /** Stores a new or changed record (written at the end of the step). */
  put (record: ChainRecord): ChainRecord {
    const before = this.state.chains.get(record.id)
    let open = this.state.open
    if (before === undefined && !FINISHED_PHASES.has(record.phase)) open++
    this.state = { ...this.state, chains: this.state.chains.set(record.id, record), open }
    this.changed.set(record.id, record)
    return record
  }

  /** Reserves a local participant for a chain. */
  reserve (participant: string, chain: string): void {
    assert(!this.state.reservations.has(participant), `participant ${participant} is reserved already`)
    this.state = { ...this.state, reservations: this.state.reservations.set(participant, chain) }
    this.other.push({ kind: 'reserve', participant, chain })
  }

  /** Moves a record to a finished phase and releases every local reservation it holds, at once. */
  finish (record: ChainRecord, phase: ChainPhase, fields: Partial<ChainRecord>): ChainRecord {
    assert(FINISHED_PHASES.has(phase) && !FINISHED_PHASES.has(record.phase), `finish ${record.id}: ${record.phase} → ${phase}`)
    for (const binding of record.bindings) {
      if (binding === null || this.state.reservations.get(binding.participant) !== record.id) continue
      this.state = { ...this.state, reservations: this.state.reservations.delete(binding.participant) }
      this.other.push({ kind: 'release', participant: binding.participant, chain: record.id })
    }
    this.state = { ...this.state, open: this.state.open - 1 }
    return this.put({ ...record, ...fields, phase, finished_at_ms: this.ctx.nowMs })
  }

  /** Sends a message to every other involved node of the record. */
  send (record: ChainRecord, message: ChainMessage): void {
    const to = record.involved.filter((node) => node !== this.self)
    if (to.length > 0) this.outbound.push({ to, message })
  }

  write (write: ChainWrite): void {
    this.other.push(write)
  }

  fact (node: string, chain: string, kind: AdherenceKind): void {
    if (node !== this.self) this.other.push({ kind: 'adherence', fact: { node, chain, kind } })
  }

  result (outcome: StepOutcome = 'applied'): ChainStepResult {
    const writes: ChainWrite[] = [...this.other, ...[...this.changed.values()].map((record): ChainWrite => ({ kind: 'chain', record }))]
    return { state: this.state, writes, outbound: this.outbound, outcome }
  }
}

/** The result of a step that changes nothing. */
export function unchanged (state: ChainNodeState, outcome: StepOutcome): ChainStepResult {
  return { state, writes: [], outbound: [], outcome }
}
