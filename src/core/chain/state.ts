/**
 * The state one node keeps about the chains it takes part in, and what a
 * step returns: the next state (a new value: inputs are never mutated),
 * records to persist before anything is sent, and messages to send.
 */
import type { SignedStatement } from '../identity/statement.ts'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../signature.ts'
import { PersistentMap } from '../consensus/persistent-map.ts'
import type { Binding, ChainPolicy, ParticipantDirectory, RejectReason } from './binding.ts'
import type { CommitSignature, SignedNodeStatement } from './node-statement.ts'
import type { CommitCertificate } from './certificate.ts'
import type { ChainContent, SignedProposal } from './proposal.ts'

/**
 * A chain's phase as this node sees it (protocols/chain.md, state machine):
 * validating → consenting → committing → committed → executing → complete | incomplete,
 * and cancelled from validating, consenting or committing.
 */
export const CHAIN_PHASES = ['validating', 'consenting', 'committing', 'committed', 'executing', 'complete', 'incomplete', 'cancelled'] as const
export type ChainPhase = typeof CHAIN_PHASES[number]
/** Phases after which nothing changes (reservations are released on entry). */
export const FINISHED_PHASES: ReadonlySet<ChainPhase> = new Set(['complete', 'incomplete', 'cancelled'])

/** Why a chain was cancelled. */
export type CancelCause =
  | { reason: 'refused', index: number }
  | { reason: 'rejected', node: string, reject: RejectReason }
  | { reason: 'consent_deadline' }
  | { reason: 'aborted', node: string }

/** Everything a node knows about one chain; every signed message is kept (the evidence bundle). */
export interface ChainRecord {
  id: string
  proposal: SignedProposal
  /** home nodes, sorted */
  involved: readonly string[]
  phase: ChainPhase
  /** each involved node's signed validation, by node */
  validations: Readonly<Record<string, SignedNodeStatement>>
  /** per step: its bound participant, once its home node's validation is in */
  bindings: ReadonlyArray<Binding | null>
  /** per step: the participant's consent or standing rule */
  consents: ReadonlyArray<SignedStatement | null>
  /** per step: the participant's refusal */
  refusals: ReadonlyArray<SignedStatement | null>
  /** commit signatures, by node; all involved = the commit certificate */
  commits: Readonly<Record<string, CommitSignature>>
  /** signed aborts, by node */
  aborts: Readonly<Record<string, SignedNodeStatement>>
  /** this node's own decision, never both: it never signs a commit after an abort or the reverse */
  decision: 'commit' | 'abort' | null
  /** per edge: the provider's delivery and the recipient's confirmation */
  deliveries: ReadonlyArray<SignedStatement | null>
  confirmations: ReadonlyArray<SignedStatement | null>
  cancel: CancelCause | null
  /** edges not confirmed when the execution deadline passed */
  unconfirmed: readonly number[]
  /** when the phase became complete, incomplete or cancelled */
  finished_at_ms: number | null
}

/** One node's chains and reservations. */
export interface ChainNodeState {
  /** this node's PeerId */
  node: string
  federation_id: string
  chains: PersistentMap<ChainRecord>
  /** participant id → the chain it is reserved for (this node's participants only) */
  reservations: PersistentMap<string>
  /** chains not finished */
  open: number
}

/** A message between involved nodes (protocols/chain.proto carries each). */
export type ChainMessage =
  | { kind: 'proposal', proposal: SignedProposal }
  | { kind: 'validation', validation: SignedNodeStatement }
  /** a consent (kind chain.consent) or a standing rule (chain.auto-consent) for step `index` */
  | { kind: 'consent', chain: string, index: number, statement: SignedStatement }
  /** a refusal, delivery or confirmation; the claims name the chain and step or edge */
  | { kind: 'statement', statement: SignedStatement }
  | { kind: 'commit', commit: CommitSignature }
  | { kind: 'abort', abort: SignedNodeStatement }

/** A message to send to each of `to`. */
export interface Outbound {
  to: readonly string[]
  message: ChainMessage
}

/** A completed exchange from one local participant's side: what attestations are computed from. */
export interface ExchangeRecord {
  participant: string
  chain: string
  edge: number
  role: 'provider' | 'recipient'
  counterpart: string
  /** the recipient's satisfaction with the provider on this edge */
  satisfaction_permille: number
  completed_at_ms: number
}

/** What this node observed of another node's conduct: the inputs of node reputation. */
export type AdherenceKind = 'on_time' | 'late' | 'honoured' | 'broken'
export interface AdherenceFact {
  node: string
  chain: string
  kind: AdherenceKind
}

/** A remote participant's delivered satisfaction, to compare with its home node's attestation. */
export interface Observation {
  node: string
  participant: string
  chain: string
  observed_permille: number
}

/** Records to persist, in order, in one batch, before sending. */
export type ChainWrite =
  | { kind: 'chain', record: ChainRecord }
  | { kind: 'reserve', participant: string, chain: string }
  | { kind: 'release', participant: string, chain: string }
  | { kind: 'exchange', exchange: ExchangeRecord }
  | { kind: 'adherence', fact: AdherenceFact }
  | { kind: 'observation', observation: Observation }

/** applied: the state changed; duplicate: seen already (retry), nothing to do; deferred: cannot apply yet (unknown chain or binding), ask the sender to retry; ignored: valid but too late to matter. */
export type StepOutcome = 'applied' | 'duplicate' | 'deferred' | 'ignored'

export interface ChainStepResult {
  state: ChainNodeState
  writes: ChainWrite[]
  outbound: Outbound[]
  outcome: StepOutcome
}

/** What a step reads besides the state: time, keys, the participant directory and policy. */
export interface ChainContext {
  nowMs: number
  /** this node's signer (its node key) */
  signer: HybridSigner
  verifier: SignatureVerifier
  /** a member's key from the membership; undefined for a non-member */
  nodeKey: (node: string) => HybridPublicKey | undefined
  directory: ParticipantDirectory
  policy: ChainPolicy
}

/** An input of the step function. */
export type ChainEvent =
  /** this node proposes a chain it found */
  | { type: 'propose', content: ChainContent }
  /** a message from an involved peer */
  | { type: 'receive', from: string, message: ChainMessage }
  /** a local participant's signed consent, refusal, delivery or confirmation (CLI / API) */
  | { type: 'participant', statement: SignedStatement }
  /** time passed: deadlines at `nowMs` */
  | { type: 'tick' }

/** Buckets of the persistent maps: about √ of CHAINS_OPEN_MAX. */
const BUCKETS = 64

/** An empty state for `node` (or one restored from the store's records). */
export function createChainState (init: { node: string, federationId: string, chains?: Iterable<ChainRecord> }): ChainNodeState {
  let chains = PersistentMap.empty<ChainRecord>(BUCKETS)
  let reservations = PersistentMap.empty<string>(BUCKETS)
  let open = 0
  for (const record of init.chains ?? []) {
    chains = chains.set(record.id, record)
    if (FINISHED_PHASES.has(record.phase)) continue
    open++
    for (const binding of record.bindings) {
      if (binding !== null && record.proposal.content.steps[binding.index]!.node === init.node) reservations = reservations.set(binding.participant, record.id)
    }
  }
  return { node: init.node, federation_id: init.federationId, chains, reservations, open }
}

/** Participants of this node reserved by an open chain: matching must not offer them. */
export function reservedParticipants (state: ChainNodeState): Set<string> {
  return new Set(state.reservations.keys())
}

/** The commit certificate of a committed chain: every involved node's commit signature, sorted by node; null until then. */
export function certificateOf (record: ChainRecord): CommitCertificate | null {
  if (!record.involved.every((node) => record.commits[node] !== undefined)) return null
  return { chain: record.id, commits: record.involved.map((node) => record.commits[node]!) }
}

/** The content of a record. */
export function contentOf (record: ChainRecord): ChainContent {
  return record.proposal.content
}

/** The earliest future deadline of an open chain at or after `nowMs`, so the node knows when to tick; null when none. */
export function nextDeadlineMs (state: ChainNodeState): number | null {
  let next: number | null = null
  state.chains.forEach((record) => {
    if (FINISHED_PHASES.has(record.phase)) return
    const t = record.proposal.content.timeline
    const due = record.phase === 'validating' || record.phase === 'consenting'
      ? t.consent_deadline_ms
      : record.phase === 'committed' ? t.execution_start_ms : record.phase === 'executing' ? t.execution_end_ms : null
    if (due !== null && (next === null || due < next)) next = due
  })
  return next
}
