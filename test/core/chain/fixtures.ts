/**
 * Chain test fixtures: deterministic node ids, node and participant signers
 * (real hybrid keys, or cheap digest "signatures" for the many-run property
 * test), and an in-memory cluster that drives each node's `stepChain` with a
 * message queue the test delivers, drops or reorders.
 */
import { createHash } from 'node:crypto'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { participantSignerFromSeeds } from '../../../src/crypto/participant-keys.ts'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../../src/core/signature.ts'
import { signStatement, type ClaimValue, type ParticipantStatement, type SignedStatement } from '../../../src/core/identity/statement.ts'
import { CHAIN_POLICY_DEFAULT, directoryOf, type ChainPolicy, type LocalParticipant } from '../../../src/core/chain/binding.ts'
import { cycleEdges, type ChainContent, type ChainStepSpec } from '../../../src/core/chain/proposal.ts'
import { createChainState, type ChainEvent, type ChainMessage, type ChainNodeState, type ChainStepResult, type ChainWrite } from '../../../src/core/chain/state.ts'
import { stepChain } from '../../../src/core/chain/machine.ts'

export const FEDERATION = 'fedmesh-test'
export const T0 = 1_800_000_000_000
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** A valid, deterministic PeerId-shaped node id from a label. */
export function peerId (label: string): string {
  const digest = createHash('sha256').update(label).digest()
  let text = ''
  for (let i = 0; i < 44; i++) text += BASE58[digest[i % 32]! % 58]
  return `12D3KooW${text}`
}

function seed (label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(label).digest())
}

const cache = new Map<string, HybridSigner>()
/** A real hybrid node signer (Ed25519 + native ML-DSA-65), cached per label. */
export function realNodeSigner (label: string): HybridSigner {
  let signer = cache.get(`node/${label}`)
  if (signer === undefined) {
    signer = hybridSignerFromSeeds({ ed25519Seed: seed(`ed/${label}`), mldsaSeed: seed(`ml/${label}`), backend: 'native' })
    cache.set(`node/${label}`, signer)
  }
  return signer
}

/** A real participant signer (the participant's own key). */
export function realParticipantSigner (label: string): HybridSigner {
  let signer = cache.get(`participant/${label}`)
  if (signer === undefined) {
    signer = participantSignerFromSeeds({ ed25519Seed: seed(`ped/${label}`), mldsaSeed: seed(`pml/${label}`), level: 65 })
    cache.set(`participant/${label}`, signer)
  }
  return signer
}

export const realVerifier: SignatureVerifier = hybridVerifier('native')

/** Digest "signatures": SHA-256(public key ‖ message). Anyone can make them; the property test is about counting, not crypto. */
export function digestSigner (label: string): HybridSigner {
  const ed25519 = seed(`digest/${label}`)
  const publicKey: HybridPublicKey = { ed25519, mldsa: new Uint8Array(0), mldsaLevel: 65 }
  return { publicKey, sign: (message) => ({ ed25519: new Uint8Array(createHash('sha256').update(ed25519).update(message).digest()), mldsa: new Uint8Array(0) }) }
}

export const digestVerifier: SignatureVerifier = {
  verify: (key, message, signature) => Buffer.from(createHash('sha256').update(key.ed25519).update(message).digest()).equals(Buffer.from(signature.ed25519))
}

/** A participant statement signed by `signer`. */
export function statementBy (signer: HybridSigner, participant: string, kind: string, claims: Record<string, ClaimValue>, issuedAtMs: number): SignedStatement {
  const statement: ParticipantStatement = { kind, participant, issuedAtMs, claims }
  return signStatement(statement, signer)
}

/** A cluster node: its state, signer, participants and their signers, policy. */
export interface ClusterNode {
  id: string
  signer: HybridSigner
  state: ChainNodeState
  participants: LocalParticipant[]
  participantSigners: Map<string, HybridSigner>
  policy: ChainPolicy
  writes: ChainWrite[]
}

export interface InFlight {
  from: string
  to: string
  message: ChainMessage
}

/** Nodes stepping their chain machines over an in-memory queue. Time is the test's. */
export class Cluster {
  readonly nodes = new Map<string, ClusterNode>()
  queue: InFlight[] = []
  nowMs = T0
  readonly keys = new Map<string, HybridPublicKey>()

  constructor (readonly kind: 'real' | 'digest' = 'real') {}

  get verifier (): SignatureVerifier {
    return this.kind === 'real' ? realVerifier : digestVerifier
  }

  /** Adds a node with label `label`. */
  addNode (label: string, policy: ChainPolicy = CHAIN_POLICY_DEFAULT): ClusterNode {
    const id = peerId(label)
    const signer = this.kind === 'real' ? realNodeSigner(label) : digestSigner(`node/${label}`)
    const node: ClusterNode = { id, signer, state: createChainState({ node: id, federationId: FEDERATION }), participants: [], participantSigners: new Map(), policy, writes: [] }
    this.nodes.set(id, node)
    this.keys.set(id, signer.publicKey)
    return node
  }

  /** Adds a participant `handle` to `node`; returns its id. */
  addParticipant (node: ClusterNode, handle: string, offers: string[], needs: string[], extra: Partial<LocalParticipant> = {}): string {
    const id = `sep://${handle}@${node.id}`
    const signer = this.kind === 'real' ? realParticipantSigner(`${node.id}/${handle}`) : digestSigner(`participant/${node.id}/${handle}`)
    node.participantSigners.set(id, signer)
    node.participants.push({ id, publicKey: signer.publicKey, status: 'active', offers, needs, ...extra })
    return id
  }

  node (id: string): ClusterNode {
    const node = this.nodes.get(id)
    if (node === undefined) throw new Error(`no node ${id}`)
    return node
  }

  /** Steps `node` with `event`, applies the result and queues its messages. */
  step (nodeId: string, event: ChainEvent): ChainStepResult {
    const node = this.node(nodeId)
    const result = stepChain(node.state, event, {
      nowMs: this.nowMs,
      signer: node.signer,
      verifier: this.verifier,
      nodeKey: (id) => this.keys.get(id),
      directory: directoryOf(node.participants),
      policy: node.policy
    })
    node.state = result.state
    node.writes.push(...result.writes)
    for (const out of result.outbound) for (const to of out.to) this.queue.push({ from: nodeId, to, message: out.message })
    return result
  }

  /** Delivers queue entry `index`; a deferred message goes back to the end of the queue (the sender retries). */
  deliver (index = 0): ChainStepResult {
    const [item] = this.queue.splice(index, 1)
    const result = this.step(item!.to, { type: 'receive', from: item!.from, message: item!.message })
    if (result.outcome === 'deferred') this.queue.push(item!)
    return result
  }

  /** Delivers until the queue is empty (bounded: a message deferred forever is a bug). */
  deliverAll (pick: () => number = () => 0): void {
    for (let i = 0; this.queue.length > 0; i++) {
      if (i > 10_000) throw new Error('messages never settle')
      this.deliver(pick() % this.queue.length)
    }
  }

  /** A local participant signs a statement and its home node steps it. */
  participantSays (participant: string, kind: string, claims: Record<string, ClaimValue>): ChainStepResult {
    const home = [...this.nodes.values()].find((n) => n.participantSigners.has(participant))!
    return this.step(home.id, { type: 'participant', statement: statementBy(home.participantSigners.get(participant)!, participant, kind, claims, this.nowMs) })
  }

  /** Every node ticks at the current time. */
  tickAll (): void {
    for (const id of this.nodes.keys()) this.step(id, { type: 'tick' })
  }
}

/** Content for a chain of steps proposed by `proposer` now, with a one-hour consent window and a week of execution. */
export function chainContent (proposer: string, steps: ChainStepSpec[], nowMs: number, windows: { consentMs?: number, startMs?: number, executionMs?: number } = {}): ChainContent {
  const consent = nowMs + (windows.consentMs ?? HOUR)
  const start = consent + (windows.startMs ?? 0)
  return {
    version: 1,
    federation_id: FEDERATION,
    proposer,
    proposed_at_ms: nowMs,
    steps,
    edges: cycleEdges(steps, steps.map(() => 800)),
    timeline: { consent_deadline_ms: consent, execution_start_ms: start, execution_end_ms: start + (windows.executionMs ?? 7 * DAY) }
  }
}
