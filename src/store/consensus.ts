/**
 * The consensus repository: votes, evidence, event bodies, QCs, history,
 * trust, membership and policy, one sublevel each. `persist` writes one step's
 * records in a single batch, so a crash keeps all of a step or none of it.
 */
import type { Store, BatchOperation } from './store.ts'
import { createConsensusState, learnEvent, receiveVote, type ConsensusRecord, type ConsensusState } from '../core/consensus/machine.ts'
import type { SignatureVerifier } from '../core/signature.ts'
import type { ConsensusEvent } from '../core/consensus/event.ts'
import { evidenceFromJson, evidenceToJson, type EquivocationEvidence, type EquivocationEvidenceJson } from '../core/consensus/evidence.ts'
import type { HistoryRecord } from '../core/consensus/history.ts'
import { membershipFromJson, membershipToJson, type Membership, type MembershipJson } from '../core/consensus/membership.ts'
import { qcFromJson, qcToJson, type QuorumCertificate, type QuorumCertificateJson } from '../core/consensus/quorum-certificate.ts'
import type { ConsensusPolicy } from '../core/consensus/threshold.ts'
import type { TrustRecord } from '../core/consensus/trust.ts'
import { voteFromJson, voteToJson, type Vote, type VoteJson } from '../core/consensus/vote.ts'
import { InputError, VerdictError } from '../core/errors.ts'

/** Sublevel names (stable: they are the on-disk layout). */
export const CONSENSUS_SUBLEVELS = {
  votes: 'consensus-votes',
  evidence: 'consensus-evidence',
  events: 'consensus-events',
  qcs: 'consensus-qcs',
  history: 'consensus-history',
  historyByTime: 'consensus-history-time',
  historyByHash: 'consensus-history-hash',
  trust: 'consensus-trust',
  meta: 'consensus-meta',
  signed: 'consensus-signed',
  eventsByHash: 'consensus-events-hash'
} as const

/** Most history records one query returns. */
export const HISTORY_QUERY_LIMIT_MAX = 1000

const MEMBERSHIP_KEY = 'membership'
const POLICY_KEY = 'policy'
// keys sort as text: pad numbers so the order is numeric
const epochKey = (epoch: number): string => `membership-epoch|${String(epoch).padStart(10, '0')}`
const timeKey = (completedAt: number, slot: string): string => `${String(completedAt).padStart(16, '0')}|${slot}`

/**
 * What this node signed for one (federation, slot): its slashing-protection
 * record (after Ethereum validators' EIP-3076 database). Written in the same
 * batch as the vote it protects, checked before any vote is signed.
 */
export interface SignedVoteRecord {
  federation_id: string
  slot: string
  event_hash: string
  vote: VoteJson
}

const signedKey = (federationId: string, slot: string): string => `${federationId}|${slot}`

/** The store already holds another federation's genesis membership. */
export class GenesisConflictError extends InputError {
  static override readonly code = 'GenesisConflictError'
  override readonly name = 'GenesisConflictError'
}

/** Reads and writes consensus data in a node's store. */
export class ConsensusStore {
  constructor (private readonly store: Store) {}

  private sub<V> (name: typeof CONSENSUS_SUBLEVELS[keyof typeof CONSENSUS_SUBLEVELS]) {
    return this.store.sublevel<V>(name)
  }

  /** The batch operations that persist one record. */
  private operations (record: ConsensusRecord): BatchOperation[] {
    const put = (sublevel: string, key: string, value: unknown): BatchOperation => this.store.putOperation(sublevel, key, value)
    const S = CONSENSUS_SUBLEVELS
    switch (record.kind) {
      case 'vote':
        return [put(S.votes, `${record.vote.slot}|${record.vote.voter}|${record.vote.event_hash}`, voteToJson(record.vote))]
      case 'evidence':
        return [put(S.evidence, `${record.evidence.slot}|${record.evidence.offender}`, evidenceToJson(record.evidence))]
      case 'event':
        return [put(S.events, `${record.event.slot}|${record.event_hash}`, record.event), put(S.eventsByHash, `${record.event_hash}|${record.event.slot}`, record.event.slot)]
      case 'qc':
        return [put(S.qcs, record.qc.slot, qcToJson(record.qc))]
      case 'history': {
        const r = record.record
        const ops = [put(S.history, r.slot, r), put(S.historyByTime, timeKey(r.completed_at, r.slot), r.slot)]
        if (r.event_hash !== null) ops.push(put(S.historyByHash, `${r.event_hash}|${r.slot}`, r.slot))
        if (r.consensus_hash !== null && r.consensus_hash !== r.event_hash) ops.push(put(S.historyByHash, `${r.consensus_hash}|${r.slot}`, r.slot))
        return ops
      }
      case 'trust':
        return [put(S.trust, record.record.node_id, record.record)]
      case 'membership': {
        const json = membershipToJson(record.membership)
        return [put(S.meta, MEMBERSHIP_KEY, json), put(S.meta, epochKey(json.epoch), json)]
      }
      case 'policy':
        return [put(S.meta, POLICY_KEY, record.policy)]
    }
  }

  /** The batch operations that write one step's records (to join a larger batch). */
  recordOperations (records: readonly ConsensusRecord[]): BatchOperation[] {
    return records.flatMap((r) => this.operations(r))
  }

  /** Writes one step's records atomically. */
  async persist (records: readonly ConsensusRecord[]): Promise<void> {
    await this.store.batch(this.recordOperations(records))
  }

  /** Stores a verified genesis membership and policy, and a fresh trust record per founder; idempotent for the same genesis. */
  async initGenesis (membership: Membership, policy: ConsensusPolicy, trust: TrustRecord[]): Promise<'created' | 'unchanged'> {
    const existing = await this.membershipAt(0)
    const json = membershipToJson(membership)
    if (existing !== undefined) {
      if (JSON.stringify(membershipToJson(existing)) === JSON.stringify(json)) return 'unchanged'
      throw new GenesisConflictError(`the store already holds a different genesis for federation "${existing.federation_id}"; use a fresh data dir for another federation`)
    }
    await this.persist([
      { kind: 'membership', membership },
      { kind: 'policy', policy },
      ...trust.map((record) => ({ kind: 'trust' as const, record }))
    ])
    return 'created'
  }

  /** The current membership (undefined before genesis). */
  async membership (): Promise<Membership | undefined> {
    const json = await this.sub<MembershipJson>(CONSENSUS_SUBLEVELS.meta).get(MEMBERSHIP_KEY)
    return json === undefined ? undefined : membershipFromJson(json)
  }

  /** The membership as it was at `epoch` (QCs of that epoch verify against it). */
  async membershipAt (epoch: number): Promise<Membership | undefined> {
    const json = await this.sub<MembershipJson>(CONSENSUS_SUBLEVELS.meta).get(epochKey(epoch))
    return json === undefined ? undefined : membershipFromJson(json)
  }

  /** The federation's policy (from genesis or a decided policy change). */
  async policy (): Promise<ConsensusPolicy | undefined> {
    return await this.sub<ConsensusPolicy>(CONSENSUS_SUBLEVELS.meta).get(POLICY_KEY)
  }

  /** Every node's trust record. */
  async trust (): Promise<TrustRecord[]> {
    return await this.sub<TrustRecord>(CONSENSUS_SUBLEVELS.trust).values().all()
  }

  /** History, newest completion first, at most `limit` records. */
  async history (limit: number = HISTORY_QUERY_LIMIT_MAX): Promise<HistoryRecord[]> {
    const slots = await this.sub<string>(CONSENSUS_SUBLEVELS.historyByTime).values({ reverse: true, limit: Math.min(limit, HISTORY_QUERY_LIMIT_MAX) }).all()
    return await this.historyOf(slots)
  }

  /** Every history record (for statistics). */
  async allHistory (): Promise<HistoryRecord[]> {
    return await this.sub<HistoryRecord>(CONSENSUS_SUBLEVELS.history).values().all()
  }

  /** History records whose decided, leading or consensus hash is `eventHash`. */
  async historyForHash (eventHash: string): Promise<HistoryRecord[]> {
    const slots = await this.sub<string>(CONSENSUS_SUBLEVELS.historyByHash).values({ gte: `${eventHash}|`, lt: `${eventHash}}` }).all()
    return await this.historyOf([...new Set(slots)])
  }

  private async historyOf (slots: string[]): Promise<HistoryRecord[]> {
    if (slots.length === 0) return []
    const records = await this.sub<HistoryRecord>(CONSENSUS_SUBLEVELS.history).getMany(slots)
    return records.filter((r): r is HistoryRecord => r !== undefined)
  }

  /** True once `slot` completed (decided or failed): late votes for it must not reopen it. */
  async isCompleted (slot: string): Promise<boolean> {
    return (await this.sub<HistoryRecord>(CONSENSUS_SUBLEVELS.history).get(slot)) !== undefined
  }

  /** The QC of a decided slot. */
  async qc (slot: string): Promise<QuorumCertificate | undefined> {
    const json = await this.sub<QuorumCertificateJson>(CONSENSUS_SUBLEVELS.qcs).get(slot)
    return json === undefined ? undefined : qcFromJson(json)
  }

  /** Every stored vote of a slot. */
  async votes (slot: string): Promise<Vote[]> {
    const json = await this.sub<VoteJson>(CONSENSUS_SUBLEVELS.votes).values({ gte: `${slot}|`, lt: `${slot}}` }).all()
    return json.map(voteFromJson)
  }

  /** Every stored event body of a slot. */
  async events (slot: string): Promise<ConsensusEvent[]> {
    return await this.sub<ConsensusEvent>(CONSENSUS_SUBLEVELS.events).values({ gte: `${slot}|`, lt: `${slot}}` }).all()
  }

  /** The slots holding an event with this hash (pending or completed). */
  async slotsOfEvent (eventHash: string): Promise<string[]> {
    return await this.sub<string>(CONSENSUS_SUBLEVELS.eventsByHash).values({ gte: `${eventHash}|`, lt: `${eventHash}}` }).all()
  }

  /** What this node signed in a slot, if anything (the slashing-protection record). */
  async signedVote (federationId: string, slot: string): Promise<SignedVoteRecord | undefined> {
    return await this.sub<SignedVoteRecord>(CONSENSUS_SUBLEVELS.signed).get(signedKey(federationId, slot))
  }

  /** The batch operation recording that this node signed `vote` (join it to the vote's own batch). */
  signedVoteOperation (vote: Vote): BatchOperation {
    const record: SignedVoteRecord = { federation_id: vote.federation_id, slot: vote.slot, event_hash: vote.event_hash, vote: voteToJson(vote) }
    return this.store.putOperation(CONSENSUS_SUBLEVELS.signed, signedKey(vote.federation_id, vote.slot), record)
  }

  /** Writes one step's records together with the slashing-protection record of the vote this node signed in it: one batch. */
  async persistSigned (records: readonly ConsensusRecord[], vote: Vote): Promise<void> {
    await this.store.batch([...this.recordOperations(records), this.signedVoteOperation(vote)])
  }

  /** Every stored equivocation evidence. */
  async evidence (): Promise<EquivocationEvidence[]> {
    const json = await this.sub<EquivocationEvidenceJson>(CONSENSUS_SUBLEVELS.evidence).values().all()
    return json.map(evidenceFromJson)
  }

  /**
   * Rebuilds the in-memory state after a restart: membership, policy and trust
   * from the store, and every slot that had not completed, by replaying its
   * stored votes and events (signatures checked again; outputs already stored).
   * Undefined before genesis.
   */
  async restoreState (init: { fallbackPolicy: ConsensusPolicy, now: number, verifier: SignatureVerifier }): Promise<ConsensusState | undefined> {
    const membership = await this.membership()
    if (membership === undefined) return undefined
    let state = createConsensusState({ membership, policy: (await this.policy()) ?? init.fallbackPolicy, now: init.now, trust: await this.trust() })
    const pendingSlots = new Set<string>()
    for await (const key of this.sub<VoteJson>(CONSENSUS_SUBLEVELS.votes).keys()) {
      const slot = key.slice(0, key.indexOf('|'))
      if (!pendingSlots.has(slot) && !(await this.isCompleted(slot))) pendingSlots.add(slot)
    }
    const context = { now: init.now, verifier: init.verifier }
    for (const slot of pendingSlots) {
      for (const event of await this.events(slot)) state = learnEvent(state, event, context).state
      // as from the network: a vote whose event is not stored is held again, not counted
      for (const vote of await this.votes(slot)) {
        try {
          state = receiveVote(state, vote, context).state
        } catch (err) {
          if (!(err instanceof VerdictError)) throw err // e.g. more held votes than HELD_VOTES_MAX: the excess is not held again
        }
      }
    }
    return state
  }
}
