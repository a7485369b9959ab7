/**
 * Who a dispute message goes to, who may send it, and what a binding ruling
 * changes on a home node (protocols/dispute.md). Pure.
 *
 * - a party's statement (open, resolve, escalate) goes from its home node to
 *   the other home node of the edge, and to the panel once the dispute is in
 *   arbitration; the escalation that draws the panel sends it the whole case
 *   instead;
 * - a home node's recommendation goes to the other home node;
 * - a panelist's ruling goes to both home nodes and the other panelists.
 * Nothing is forwarded: every message goes from its origin to everyone who
 * needs it, so one sender's outbox is the only retry path.
 */
import { CLOCK_SKEW_MS_MAX } from '../chain/constants.ts'
import type { Dispute } from '../chain/dispute.ts'
import type { ExchangeRecord, Observation } from '../chain/state.ts'
import { NotADisputePartyError } from '../chain/errors.ts'
import { DisputeClockError, DisputeSenderError, NotAPanelistError } from './errors.ts'

/** Where the node that applied a message of its own sends it. */
export interface DisputeRoute {
  /** nodes that get the message itself */
  message: string[]
  /** panelists that get the whole case (the escalation into arbitration) */
  case: string[]
}

const without = (nodes: Iterable<string>, self: string): string[] => [...new Set(nodes)].filter((n) => n !== self).sort()

/** The route of a message this node just applied: `before` is the dispute before it (undefined for the open). */
export function routeOf (entry: Dispute['messages'][number], before: Dispute | undefined, after: Dispute, self: string): DisputeRoute {
  const home = [after.provider.node, after.recipient.node]
  if (entry.by === 'node') {
    if (entry.signed.statement.kind === 'dispute.ruling') return { message: without([...home, ...(after.panel ?? [])], self), case: [] }
    return { message: without(home, self), case: [] }
  }
  const drawn = before !== undefined && before.layer !== 'arbitration' && after.layer === 'arbitration'
  if (drawn) return { message: without(home, self), case: without(after.panel ?? [], self) }
  return { message: without([...home, ...(after.layer === 'arbitration' ? after.panel ?? [] : [])], self), case: [] }
}

/** Who a dispute is between and who judges it, as the sender checks read them. */
export interface DisputeParties {
  provider: { participant: string, node: string }
  recipient: { participant: string, node: string }
  panel: readonly string[] | null
}

/** A statement issued further ahead than the clock skew allows is refused (an old one is fine: the sender retried). */
export function checkIssuedAt (issuedAtMs: number, nowMs: number): void {
  if (issuedAtMs > nowMs + CLOCK_SKEW_MS_MAX) throw new DisputeClockError(`a statement issued ${issuedAtMs - nowMs} ms ahead of this node's clock (at most ${CLOCK_SKEW_MS_MAX})`)
}

/** A party's statement must come from that party's home node, to the other home node or a panelist. */
export function checkPartySender (dispute: DisputeParties, participant: string, from: string, self: string): void {
  const party = [dispute.provider, dispute.recipient].find((p) => p.participant === participant)
  if (party === undefined) throw new NotADisputePartyError(`${participant} is neither provider nor recipient of the edge`)
  if (party.node !== from) throw new DisputeSenderError(`a statement of ${participant} comes from its home node ${party.node}, not ${from}`)
  const receivers = [dispute.provider.node, dispute.recipient.node, ...(dispute.panel ?? [])]
  if (!receivers.includes(self)) throw new NotADisputePartyError('this node is neither a home node of the dispute nor on its panel')
}

/** A node's statement comes from the node that signed it: a home node's recommendation, or a panelist's ruling. */
export function checkNodeSender (dispute: DisputeParties, kind: string, node: string, from: string): void {
  if (node !== from) throw new DisputeSenderError(`a ${kind} signed by ${node} comes from that node, not ${from}`)
  if (kind === 'dispute.ruling') {
    if (dispute.panel === null || !dispute.panel.includes(node)) throw new NotAPanelistError(`${node} was not drawn onto the panel of this dispute`)
  } else if (node !== dispute.provider.node && node !== dispute.recipient.node) {
    throw new NotADisputePartyError(`${node} is not a home node of the dispute`)
  }
}

/** A case comes from a home node of the dispute, to a drawn panelist. */
export function checkCaseSender (home: readonly string[], panel: readonly string[], from: string, self: string): void {
  if (!home.includes(from)) throw new DisputeSenderError(`a case comes from a home node of the dispute, not ${from}`)
  if (!panel.includes(self)) throw new NotAPanelistError('this node was not drawn onto the panel of the case')
}

/** An accuracy observation as node reputation keeps it (store/attestations.ts). */
export interface AccuracyObservationLike {
  node: string
  participant: string
  chain: string
  attested_permille: number | null
  observed_permille: number
}

/** What a binding ruling rewrites on a home node. */
export interface RulingEffects {
  exchanges: ExchangeRecord[]
  observations: Observation[]
  accuracy: AccuracyObservationLike[]
}

/**
 * A decided dispute's satisfaction replaces the edge's confirmed one in what
 * this node holds: its participants' exchanges of that edge (their
 * attestations' satisfaction rate), and, when the recipient is ours and the
 * provider another node's, the observation of that provider and its
 * reputation accuracy input (docs/reputation.md). Only records that differ.
 */
export function rulingEffects (dispute: Dispute, self: string, held: RulingEffects): RulingEffects {
  if (dispute.status !== 'decided' || dispute.ruling === null) return { exchanges: [], observations: [], accuracy: [] }
  const s = dispute.ruling.satisfaction_permille
  const provider = dispute.provider
  const ofEdge = held.exchanges.filter((e) => e.chain === dispute.chain && e.edge === dispute.edge && e.satisfaction_permille !== s)
  const remote = dispute.recipient.node === self && provider.node !== self
  const observed = (o: { node: string, participant: string, chain: string, observed_permille: number }): boolean =>
    remote && o.chain === dispute.chain && o.node === provider.node && o.participant === provider.participant && o.observed_permille !== s
  return {
    exchanges: ofEdge.map((e) => ({ ...e, satisfaction_permille: s })),
    observations: held.observations.filter(observed).map((o) => ({ ...o, observed_permille: s })),
    accuracy: held.accuracy.filter(observed).map((o) => ({ ...o, observed_permille: s }))
  }
}
