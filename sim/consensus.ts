/**
 * Consensus in the sim: a genesis for the sim's own nodes (every key derived
 * from the scenario seed, as in plan.ts), loaded into each node's store before
 * it starts; the byzantine behaviours; and what the coordinator reads back
 * from the nodes' stores (QCs, evidence) to check safety from outside.
 *
 * A byzantine node is a real node whose misbehaviour is crafted here, with
 * its own keys, and sent through its own envelope channel or raw gossip: the
 * node's consensus service never signs two votes for one slot, so an
 * equivocation has to be made by hand.
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { hybridSignerFromSeeds, hybridVerifier } from '../src/crypto/hybrid.ts'
import { signGenesis, verifyGenesis } from '../src/core/consensus/genesis.ts'
import { publicKeyToJson } from '../src/core/consensus/member.ts'
import { initialTrust } from '../src/core/consensus/trust.ts'
import { signVote, voteToJson } from '../src/core/consensus/vote.ts'
import { eventHash, parseEvent } from '../src/core/consensus/event.ts'
import type { Membership } from '../src/core/consensus/membership.ts'
import type { ConsensusPolicy } from '../src/core/consensus/threshold.ts'
import type { HybridSigner } from '../src/core/signature.ts'
import { CONSENSUS_CONTENT_TYPE, CONSENSUS_SCHEMA_ID, VOTE_CLASS } from '../src/services/consensus/index.ts'
import { ConsensusStore } from '../src/store/consensus.ts'
import { gossipTopic } from '../src/net/gossip.ts'
import type { FedmeshNode } from '../src/node/node.ts'
import type { Plan } from './plan.ts'

/** What a byzantine member does in every slot. */
export const BYZANTINE_BEHAVIOURS = ['equivocate', 'forge', 'junk'] as const
export type ByzantineBehaviour = typeof BYZANTINE_BEHAVIOURS[number]

/** A fixed creation time: the genesis must be the same document in every run and process of one seed. */
const SIM_GENESIS_CREATED_AT = '2026-01-01T00:00:00.000Z'

/** The federation's founding membership, ready to load into a store. */
export interface SimGenesis {
  membership: Membership
  policy: ConsensusPolicy
  ids: string[]
}

/** Signs a genesis naming every node of the plan (bft threshold), and verifies it as a node would. */
export async function simGenesis (plan: Plan, federationId: string): Promise<SimGenesis> {
  const signers = new Map<string, HybridSigner>()
  const ids: string[] = []
  for (const spec of plan.nodes) {
    const privateKey = await generateKeyPairFromSeed('Ed25519', spec.ed25519Seed)
    const id = peerIdFromPrivateKey(privateKey).toString()
    ids.push(id)
    signers.set(id, hybridSignerFromSeeds({ ed25519Seed: spec.ed25519Seed, mldsaSeed: spec.mldsaSeed }))
  }
  const document = signGenesis({
    version: 1,
    federation_id: federationId,
    created_at: SIM_GENESIS_CREATED_AT,
    consensus: { threshold: 'bft', min_participating_nodes: 2, tie_breaking: 'timestamp_priority' },
    members: ids.map((id, index) => ({ node_id: id, public_key: publicKeyToJson(signers.get(id)!.publicKey), site_id: `sim-${index}` }))
  }, signers)
  const { membership, policy } = verifyGenesis(document, hybridVerifier())
  return { membership, policy, ids }
}

/** Loads the genesis into a node's (empty) store, before the node starts. */
export async function loadSimGenesis (node: FedmeshNode, genesis: SimGenesis, nowMs: number): Promise<void> {
  await new ConsensusStore(node.store).initGenesis(genesis.membership, genesis.policy, genesis.ids.map((id) => initialTrust(id, nowMs)))
}

/** One node's view of one slot, read from its store. */
export interface SlotView {
  qcHash: string | null
}

/** One node's consensus outcome. */
export interface NodeConsensusView {
  index: number
  slots: Record<string, SlotView>
  /** node ids this node holds equivocation evidence against */
  equivocators: string[]
}

/** Reads a node's QCs for the given slots and its evidence. */
export async function consensusView (index: number, node: FedmeshNode, slots: string[]): Promise<NodeConsensusView> {
  const store = new ConsensusStore(node.store)
  const view: NodeConsensusView = { index, slots: {}, equivocators: [] }
  for (const slot of slots) view.slots[slot] = { qcHash: (await store.qc(slot))?.event_hash ?? null }
  view.equivocators = [...new Set((await store.evidence()).map((e) => e.offender))].sort()
  return view
}

/** The hash of an event the byzantine node makes up to compete with the honest one in `slot`. */
function conflictingEvent (federationId: string, slot: string, proposer: string, nowMs: number): { event: unknown, hash: string } {
  const event = parseEvent({ type: 'governance_proposal', slot, body: { title: 'a conflicting proposal', text: '' }, federation_id: federationId, initiated_at: nowMs, proposer })
  return { event, hash: eventHash(event) }
}

/** Seals a consensus payload in the node's own envelope and gossips it. */
async function publishConsensus (node: FedmeshNode, payload: unknown): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(payload))
  await node.envelopes.publish(VOTE_CLASS, node.envelopes.seal(VOTE_CLASS, CONSENSUS_SCHEMA_ID, bytes, CONSENSUS_CONTENT_TYPE))
}

export interface AttackInit {
  node: FedmeshNode
  federationId: string
  slot: string
  /** the honest proposal's hash */
  honestHash: string
  /** a member the forger pretends to be */
  victim: string
  behaviours: readonly ByzantineBehaviour[]
  nowMs: number
  /** deterministic filler for junk */
  seed: number
}

/** Plays one byzantine member's behaviours in one slot; returns how many messages it sent. */
export async function attack (init: AttackInit): Promise<number> {
  const { node, federationId, slot } = init
  const self = node.peerId.toString()
  let sent = 0
  for (const behaviour of init.behaviours) {
    switch (behaviour) {
      case 'equivocate': {
        // a competing event, then a vote for each hash: two votes in one slot
        const conflict = conflictingEvent(federationId, slot, self, init.nowMs)
        await publishConsensus(node, { kind: 'event', event: conflict.event })
        for (const hash of [conflict.hash, init.honestHash]) {
          await publishConsensus(node, { kind: 'vote', vote: voteToJson(signVote(node.signer, { federation_id: federationId, slot, event_hash: hash, voter: self })) })
        }
        sent += 3
        break
      }
      case 'forge': {
        // a vote in another member's name, signed with this node's keys
        const forged = voteToJson(signVote(node.signer, { federation_id: federationId, slot, event_hash: conflictingEvent(federationId, slot, self, init.nowMs).hash, voter: init.victim }))
        await publishConsensus(node, { kind: 'vote', vote: forged })
        sent += 1
        break
      }
      case 'junk': {
        // bytes that are no envelope at all, straight onto the vote topic, and a signed envelope whose payload is not JSON
        const filler = createHash('sha256').update(`junk/${init.seed}/${slot}/${self}`).digest()
        await node.libp2p.services.pubsub.publish(gossipTopic(federationId, VOTE_CLASS), filler).catch(() => {})
        await node.envelopes.publish(VOTE_CLASS, node.envelopes.seal(VOTE_CLASS, CONSENSUS_SCHEMA_ID, filler, CONSENSUS_CONTENT_TYPE))
        sent += 2
        break
      }
    }
  }
  return sent
}
