/**
 * The `market` sim: N nodes × M participants (Zipf categories) clearing and
 * settling exchanges with the production chain protocol, against the
 * centralised optimum on the union of all participants.
 *
 * What runs is production code: each node's matching is `clear()` over its
 * own free participants and the other nodes' summaries (`buildSummary`, what
 * the summaries service gossips; `match`'s default heuristic mode); each
 * proposal, validation (binding + reservation), consent, refusal, commit,
 * delivery and confirmation is a step of the chain machine (`stepChain`,
 * src/core/chain/machine.ts — what the chains service runs), every message
 * goes through the wire codec (`encodeChainMessage` / `decodeChainMessage`)
 * and its bytes are counted. What is simulated: the transport (a fixed
 * latency per message on a virtual clock, delivery in order of time), the
 * store (state kept in memory), gossip of summaries (each node receives every
 * changed summary once per round) and the participants (seeded: a share has a
 * standing auto-consent rule, the others answer after a random delay and
 * refuse at `refusal_rate`; a participant who refuses leaves the market).
 *
 * `signatures: real` signs and verifies everything with the production hybrid
 * keys (Ed25519 + ML-DSA-65, src/crypto/); `signatures: sim` uses a keyed-hash
 * signer of the same byte sizes (a 100 node × 100,000 participant run makes
 * ~10⁶ signatures: hours of ML-DSA on two cores). The protocol's decisions
 * never depend on which (forgeries are not part of this scenario).
 *
 * The federated figure is what the nodes committed: a chain counts once every
 * involved node holds it committed (the commit certificate), and no
 * participant may be in two committed chains (checked; a run that breaks it
 * throws). The centralised figure is one clearing of the union.
 */
import { createHash } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { InputError } from '../src/core/errors.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../src/core/signature.ts'
import { Taxonomy } from '../src/core/matching/taxonomy.ts'
import { buildInstance, type InstanceNodeInput } from '../src/core/matching/instance.ts'
import { buildSummary, type SummaryEntry } from '../src/core/matching/summary.ts'
import { encodeSummary } from '../src/core/matching/summary-codec.ts'
import { clear } from '../src/core/matching/clearing.ts'
import type { Participant } from '../src/core/matching/participant.ts'
import { clearForMatch } from '../src/solver/index.ts'
import { CHAIN_POLICY_DEFAULT, type LocalParticipant, type ParticipantDirectory } from '../src/core/chain/binding.ts'
import { CHAIN_CONTENT_VERSION, CONSENT_WINDOW_MS_MIN } from '../src/core/chain/constants.ts'
import { stepChain } from '../src/core/chain/machine.ts'
import { chainId, cycleEdges, type ChainContent } from '../src/core/chain/proposal.ts'
import { AUTO_CONSENT_KIND, CONFIRMATION_KIND, CONSENT_KIND, DELIVERY_KIND, REFUSAL_KIND } from '../src/core/chain/participant-statements.ts'
import { createChainState, FINISHED_PHASES, type ChainEvent, type ChainMessage, type ChainNodeState, type ChainPhase, type ChainRecord, type StepOutcome } from '../src/core/chain/state.ts'
import { signStatement, type SignedStatement } from '../src/core/identity/statement.ts'
import { decodeChainMessage, encodeChainMessage } from '../src/wire/chain.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../src/crypto/hybrid.ts'
import { participantSignerFromSeeds } from '../src/crypto/participant-keys.ts'
import { MATCHED_EDGE_SCORE_PERMILLE } from '../src/services/chains/constants.ts'
import { zipfSampler } from './zipf.ts'

/** One market run's parameters (sim/scenarios/market.yaml, checked by sim/market-scenario.ts). */
export interface MarketConfig {
  seed: number
  nodes: number
  /** participants in all (spread uniformly over the nodes) */
  participants: number
  categories: number
  zipf_exponent: number
  /** longest chain proposed (and the centralised clearing's cap) */
  cap: number
  /** share of participants with a standing auto-consent rule covering their own entry (never refuse) */
  auto_consent_rate: number
  /** chance that a participant without a rule refuses a chain it is bound to; a refuser leaves the market */
  refusal_rate: number
  /** a participant without a rule answers after 0 … this many ms */
  consent_delay_ms_max: number
  /** one-way latency of every chain message */
  latency_ms: number
  /** a matching round every this many ms (≥ the consent window, so a round's chains are settled before the next) */
  round_interval_ms: number
  rounds_max: number
  signatures: 'real' | 'sim'
  /** run execution too: deliveries, confirmations, completion */
  execute: boolean
  /** the centralised clearing: exact/certified mode within this budget (0 = the heuristic only) */
  central_time_limit_ms: number
}

export interface Distribution { median: number, p95: number, max: number }

export interface MarketReport {
  config: MarketConfig
  federated: {
    served: number
    chains_proposed: number
    chains_committed: number
    chains_completed: number
    chains_cancelled: Record<string, number>
    participants_refused: number
    /** participants who refused yet are in a committed chain (must be 0) */
    refusers_served: number
    /** reservations held anywhere after the run (0 once every chain finished) */
    reservations_left: number
    rounds: number
    /** virtual ms from proposal to the last involved node's commit */
    proposal_to_commit_ms: Distribution
    /** virtual time of the last commit */
    last_commit_ms: number
    messages: number
    messages_rejected: number
    /** chain messages (wire bytes, sent + received) and summaries (payload received) per node */
    chain_bytes_per_node: Distribution
    summary_bytes_per_node: Distribution
    /** wall-clock ms of one node's clearing (own participants + every summary) */
    node_clearing_ms: Distribution
  }
  centralised: CentralFigure
  /** centralised on the union minus the participants who refused (what the survivors could reach) */
  centralised_survivors: CentralFigure | null
  /** federated served / centralised served */
  ratio: number
  /** federated served / centralised survivors served (with refusals) */
  recovery: number | null
  wall_ms: number
}

export interface CentralFigure { participants: number, served: number, bound: number, method: string, optimal: boolean, time_ms: number }

/** pure-rand's xoroshiro as a float source in [0, 1), so one seed gives one market. */
function floats (seed: number): () => number {
  const rng = xoroshiro128plus(seed)
  return () => (rng.next() >>> 0) / 4294967296
}


const ED25519_SIGNATURE_BYTES = 64
const MLDSA65_SIGNATURE_BYTES = 3309
const MLDSA65_PUBLIC_KEY_BYTES = 1952
/** The sim keeps its ML-DSA parts this short (memory: 100 nodes' chain records in one process) and counts the real sizes on the wire (`wireBytes`). */
const SIM_MLDSA_BYTES = 32
const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3)

/** The sim signer: SHA-512(key ‖ message); Ed25519-sized, with a short ML-DSA part; only the sim verifier accepts it (and anyone could forge: no forgery is simulated). */
export function simSigner (label: string): HybridSigner {
  const ed25519 = new Uint8Array(createHash('sha256').update(`market/${label}`).digest())
  const mldsa = new Uint8Array(createHash('sha256').update(`market/mldsa/${label}`).digest())
  const publicKey: HybridPublicKey = { ed25519, mldsa, mldsaLevel: 65 }
  return { publicKey, sign: (message) => simSignature(publicKey, message) }
}

function simSignature (publicKey: HybridPublicKey, message: Uint8Array): HybridSignature {
  const tag = createHash('sha512').update(publicKey.ed25519).update(message).digest()
  return { ed25519: new Uint8Array(tag.subarray(0, ED25519_SIGNATURE_BYTES)), mldsa: new Uint8Array(tag.subarray(0, SIM_MLDSA_BYTES)) }
}

/**
 * A message's size on the wire with real ML-DSA-65 parts: every chain message carries one
 * signature, and a validation one public key (base64 in its claims) per bound step.
 */
export function wireBytes (message: ChainMessage, encodedLength: number): number {
  const keys = message.kind === 'validation' && Array.isArray(message.validation.statement.claims['bindings']) ? message.validation.statement.claims['bindings'].length : 0
  return encodedLength + (MLDSA65_SIGNATURE_BYTES - SIM_MLDSA_BYTES) + keys * (base64Length(MLDSA65_PUBLIC_KEY_BYTES) - base64Length(SIM_MLDSA_BYTES))
}

export const simVerifier: SignatureVerifier = {
  verify: (publicKey, message, signature) => {
    try {
      const expected = simSignature(publicKey, message)
      return Buffer.compare(expected.ed25519, signature.ed25519) === 0 && Buffer.compare(expected.mldsa, signature.mldsa) === 0
    } catch {
      return false
    }
  }
}

const seedOf = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())

/** A min-heap of timed events; ties in insertion order (deterministic). */
class EventQueue {
  private readonly heap: Array<{ at: number, seq: number, run: () => void }> = []
  private seq = 0
  get size (): number { return this.heap.length }
  push (at: number, run: () => void): void {
    const h = this.heap
    h.push({ at, seq: this.seq++, run })
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (less(h[p]!, h[i]!)) break
      ;[h[p], h[i]] = [h[i]!, h[p]!]
      i = p
    }
  }

  pop (): { at: number, run: () => void } | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]!
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && less(h[l]!, h[m]!)) m = l
        if (r < h.length && less(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[m], h[i]] = [h[i]!, h[m]!]
        i = m
      }
    }
    return top
  }

  peekAt (): number | undefined { return this.heap[0]?.at }
}

/** A record's next deadline, as nextDeadlineMs reads it for one chain. */
function deadlineOf (record: ChainRecord): number | null {
  if (FINISHED_PHASES.has(record.phase)) return null
  const t = record.proposal.content.timeline
  return record.phase === 'validating' || record.phase === 'consenting'
    ? t.consent_deadline_ms
    : record.phase === 'committed' ? t.execution_start_ms : record.phase === 'executing' ? t.execution_end_ms : null
}

function less (a: { at: number, seq: number }, b: { at: number, seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

interface SimParticipant extends LocalParticipant {
  site: string
  signer: HybridSigner
}

interface MarketNode {
  index: number
  id: string
  site: string
  signer: HybridSigner
  state: ChainNodeState
  /** listed participants (neither served nor gone) */
  listed: Map<string, SimParticipant>
  byEntry: Map<string, SimParticipant[]>
  directory: ParticipantDirectory
  ticks: Set<number>
  chainBytes: number
  summaryBytes: number
  lastSummary: string
}

/** Virtual time starts here (1 Dec 2026 UTC): statements carry positive times. */
export const MARKET_EPOCH_MS = Date.UTC(2026, 11, 1)

const entryKey = (need: string, offer: string): string => `${need}\u0000${offer}`

function distribution (values: readonly number[]): Distribution {
  if (values.length === 0) return { median: 0, p95: 0, max: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! }
}

/** Generates the market (the same seed, the same participants) as plain participants per node. */
export function generateMarket (config: Pick<MarketConfig, 'seed' | 'nodes' | 'participants' | 'categories' | 'zipf_exponent'>): { taxonomy: Taxonomy, sites: string[], byNode: Participant[][] } {
  const random = floats(config.seed)
  const zipf = zipfSampler(config.categories, config.zipf_exponent, random)
  const slugs = Array.from({ length: config.categories }, (_, i) => `cat${String(i).padStart(4, '0')}`)
  const sites = Array.from({ length: config.nodes }, (_, i) => `m${String(i).padStart(3, '0')}`)
  const byNode: Participant[][] = sites.map(() => [])
  for (let i = 0; i < config.participants; i++) {
    const need = zipf()
    let offer = zipf()
    while (offer === need) offer = zipf()
    const node = i % config.nodes
    byNode[node]!.push({ id: `sep://p${i}@${sites[node]!}`, needs: [slugs[need]!], offers: [slugs[offer]!] })
  }
  return { taxonomy: Taxonomy.of(slugs), sites, byNode }
}

/** The centralised clearing of `byNode` as one place sees it (every participant exact). */
export async function centralised (taxonomy: Taxonomy, sites: readonly string[], byNode: ReadonlyArray<readonly Participant[]>, cap: number, timeLimitMs: number): Promise<CentralFigure> {
  const started = performance.now()
  const instance = buildInstance(taxonomy, sites.map((id, i) => ({ id, participants: [...byNode[i]!] })))
  const result = await clearForMatch(instance, { cap, exact: timeLimitMs > 0, ...(timeLimitMs > 0 ? { timeLimitMs } : {}) })
  return {
    participants: byNode.reduce((n, list) => n + list.length, 0),
    served: result.participantsServed,
    bound: result.bound,
    method: 'method' in result ? `${result.method}, bound ${result.boundMethod}` : 'heuristic, bound circulation',
    optimal: result.optimal,
    time_ms: Math.round(performance.now() - started)
  }
}

/** Runs one market; `progress` hears a line per round. */
export async function runMarket (config: MarketConfig, progress: (line: string) => void = () => {}): Promise<MarketReport> {
  const wallStart = performance.now()
  const { taxonomy, sites, byNode } = generateMarket(config)
  const random = floats(config.seed ^ 0x5eed)
  const federationId = 'market'
  const real = config.signatures === 'real'
  const verifier = real ? hybridVerifier() : simVerifier

  // nodes: real libp2p peer ids from seeded Ed25519 keys; node keys real or sim
  const nodes: MarketNode[] = []
  const keyOf = new Map<string, HybridPublicKey>()
  for (const [index, site] of sites.entries()) {
    const key = await generateKeyPairFromSeed('Ed25519', seedOf(`market/${config.seed}/node/${index}`))
    const id = peerIdFromPrivateKey(key).toString()
    const signer = real ? hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seedOf(`market/${config.seed}/mldsa/${index}`) }) : simSigner(`node/${index}`)
    keyOf.set(id, signer.publicKey)
    const listed = new Map<string, SimParticipant>()
    const byEntry = new Map<string, SimParticipant[]>()
    const node: MarketNode = {
      index, id, site, signer, state: createChainState({ node: id, federationId }), listed, byEntry,
      directory: { get: (pid) => listed.get(pid), candidates: (need, offer) => byEntry.get(entryKey(need, offer)) ?? [] },
      ticks: new Set(), chainBytes: 0, summaryBytes: 0, lastSummary: ''
    }
    for (const p of byNode[index]!) {
      const label = `${config.seed}/${p.id}`
      const signer = real ? participantSignerFromSeeds({ ed25519Seed: seedOf(`ed/${label}`), mldsaSeed: seedOf(`ml/${label}`), level: 65 }) : simSigner(label)
      const sp: SimParticipant = { id: p.id, site, signer, publicKey: signer.publicKey, status: 'active', offers: p.offers, needs: p.needs }
      if (random() < config.auto_consent_rate) {
        // a standing rule over its own entry, made before any proposal
        sp.autoConsent = signStatement({
          kind: AUTO_CONSENT_KIND, participant: p.id, issuedAtMs: MARKET_EPOCH_MS - 86_400_000,
          claims: { chain_length_max: config.cap, offers: [...p.offers], needs: [...p.needs], valid_until_ms: MARKET_EPOCH_MS + 365 * 86_400_000 }
        }, signer)
      }
      listed.set(p.id, sp)
      const k = entryKey(p.needs[0]!, p.offers[0]!)
      const list = byEntry.get(k) ?? []
      list.push(sp)
      byEntry.set(k, list)
    }
    nodes.push(node)
  }
  const nodeById = new Map(nodes.map((n) => [n.id, n]))
  const nodeBySite = new Map(nodes.map((n) => [n.site, n]))
  const participantOf = new Map<string, SimParticipant>()
  for (const n of nodes) for (const p of n.listed.values()) participantOf.set(p.id, p)

  const queue = new EventQueue()
  let now = MARKET_EPOCH_MS
  let messages = 0
  let rejected = 0
  let proposed = 0
  const refused = new Set<string>()
  const cancelled: Record<string, number> = {}
  /** chain id → per node: first time seen committed / complete */
  const committedAt = new Map<string, Map<string, number>>()
  const completeAt = new Map<string, Set<string>>()
  const cancelledChains = new Set<string>()
  const records = new Map<string, ChainRecord>()
  const removeListed = (node: MarketNode, pid: string): void => {
    const p = node.listed.get(pid)
    if (p === undefined) return
    node.listed.delete(pid)
    const k = entryKey(p.needs[0]!, p.offers[0]!)
    node.byEntry.set(k, node.byEntry.get(k)!.filter((q) => q.id !== pid))
  }

  const apply = (node: MarketNode, event: ChainEvent): StepOutcome | 'rejected' => {
    let result
    try {
      result = stepChain(node.state, event, {
        nowMs: now, signer: node.signer, verifier, nodeKey: (id) => keyOf.get(id), directory: node.directory, policy: CHAIN_POLICY_DEFAULT
      })
    } catch (err) {
      if (err instanceof InputError) {
        if (event.type === 'receive') rejected++
        return 'rejected'
      }
      throw err
    }
    node.state = result.state
    for (const write of result.writes) {
      if (write.kind === 'reserve') onReserved(node, write.participant, write.chain)
      if (write.kind !== 'chain') continue
      const record = write.record
      records.set(record.id, record)
      onPhase(node, record)
    }
    for (const out of result.outbound) {
      const bytes = encodeChainMessage(out.message)
      const size = real ? bytes.length : wireBytes(out.message, bytes.length)
      for (const to of out.to) {
        if (to === node.id) continue
        const dest = nodeById.get(to)!
        messages++
        node.chainBytes += size
        dest.chainBytes += size
        deliver(node.id, dest, bytes, 0)
      }
    }
    // the chains service arms its timer at the machine's next deadline (nextDeadlineMs); the sim ticks at every
    // deadline of every record a step wrote — the same ticks, without a scan of all chains after every step
    for (const write of result.writes) {
      if (write.kind !== 'chain') continue
      const next = deadlineOf(write.record)
      if (next === null || node.ticks.has(next)) continue
      node.ticks.add(next)
      queue.push(Math.max(next, now), () => { node.ticks.delete(next); apply(node, { type: 'tick' }) })
    }
    return result.outcome
  }

  const deliver = (from: string, dest: MarketNode, bytes: Uint8Array, attempt: number): void => {
    queue.push(now + config.latency_ms * (attempt === 0 ? 1 : 2 ** Math.min(attempt, 10)), () => {
      // deferred (the proposal or binding it needs is still on its way): the outbox retries with backoff
      if (apply(dest, { type: 'receive', from, message: decodeChainMessage(bytes) }) === 'deferred' && attempt < 12) deliver(from, dest, bytes, attempt + 1)
    })
  }

  /** A participant's signed statement, stepped on its home node; one made while the chain still waits for validations is made again a second later. */
  const say = (node: MarketNode, p: SimParticipant, kind: string, claims: Record<string, number | string>, attempt = 0): void => {
    const signed: SignedStatement = signStatement({ kind, participant: p.id, issuedAtMs: now, claims }, p.signer)
    if (apply(node, { type: 'participant', statement: signed }) !== 'rejected' || attempt >= 30) return
    if (node.state.chains.get(String(claims['chain']))?.phase === 'validating') queue.push(now + 1000, () => { say(node, p, kind, claims, attempt + 1) })
  }

  const onReserved = (node: MarketNode, pid: string, chain: string): void => {
    const p = node.listed.get(pid)!
    queue.push(now + Math.floor(random() * config.consent_delay_ms_max), () => {
      const record = node.state.chains.get(chain)
      if (record === undefined || (record.phase !== 'consenting' && record.phase !== 'validating')) return
      const index = record.bindings.findIndex((b) => b?.participant === pid)
      if (index < 0 || record.consents[index] !== null) return // its standing rule consented already
      if (p.autoConsent === undefined && random() < config.refusal_rate) {
        refused.add(pid)
        removeListed(node, pid) // a refuser leaves the market
        say(node, p, REFUSAL_KIND, { chain, index })
      } else {
        say(node, p, CONSENT_KIND, { chain, index })
      }
    })
  }

  const onPhase = (node: MarketNode, record: ChainRecord): void => {
    const phase: ChainPhase = record.phase
    if (phase === 'committed' && !committedAt.get(record.id)?.has(node.id)) {
      const at = committedAt.get(record.id) ?? new Map<string, number>()
      at.set(node.id, now)
      committedAt.set(record.id, at)
      // served: the node no longer offers its bound participants
      for (const b of record.bindings) if (b !== null && record.proposal.content.steps[b.index]!.node === node.id) removeListed(node, b.participant)
      if (config.execute) scheduleExecution(node, record)
    }
    if (phase === 'complete') {
      const set = completeAt.get(record.id) ?? new Set<string>()
      set.add(node.id)
      completeAt.set(record.id, set)
    }
    if (phase === 'cancelled' && node.id === record.proposal.content.proposer && !cancelledChains.has(record.id)) {
      cancelledChains.add(record.id)
      const cause = record.cancel === null ? 'unknown' : record.cancel.reason === 'rejected' ? `rejected:${record.cancel.reject}` : record.cancel.reason
      cancelled[cause] = (cancelled[cause] ?? 0) + 1
    }
  }

  const scheduleExecution = (node: MarketNode, record: ChainRecord): void => {
    const { steps, timeline } = record.proposal.content
    const n = steps.length
    for (const b of record.bindings) {
      if (b === null || steps[b.index]!.node !== node.id) continue
      const p = participantOf.get(b.participant)!
      queue.push(timeline.execution_start_ms + 1 + Math.floor(random() * 60_000), () => { say(node, p, DELIVERY_KIND, { chain: record.id, index: b.index }) })
      const satisfaction = 600 + Math.floor(random() * 401)
      queue.push(timeline.execution_start_ms + 600_000 + Math.floor(random() * 60_000), () => {
        say(node, p, CONFIRMATION_KIND, { chain: record.id, index: (b.index - 1 + n) % n, satisfaction_permille: satisfaction })
      })
    }
  }

  // summaries: the latest each node received from every other node
  const summaries = new Map<string, SummaryEntry[]>()
  const clearingMs: number[] = []
  let rounds = 0
  const consentWindow = CONSENT_WINDOW_MS_MIN
  for (let round = 0; round < config.rounds_max; round++) {
    const roundAt = MARKET_EPOCH_MS + round * config.round_interval_ms
    while (queue.size > 0 && queue.peekAt()! <= roundAt) {
      const event = queue.pop()!
      now = event.at
      event.run()
    }
    now = roundAt
    // every node publishes its summary when it changed (production counts every listed participant, reserved ones too)
    for (const node of nodes) {
      const summary = buildSummary(node.site, [...node.listed.values()].map((p) => ({ id: p.id, offers: [...p.offers], needs: [...p.needs] })))
      const bytes = encodeSummary(summary)
      const text = Buffer.from(bytes).toString('base64')
      if (text === node.lastSummary) continue
      node.lastSummary = text
      summaries.set(node.site, summary.entries)
      node.summaryBytes += bytes.length * (nodes.length - 1)
      for (const other of nodes) if (other !== node) other.summaryBytes += bytes.length
    }
    let proposedThisRound = 0
    for (const node of nodes) {
      const reserved = new Set(node.state.reservations.keys())
      const own = [...node.listed.values()].filter((p) => !reserved.has(p.id)).map((p) => ({ id: p.id, offers: [...p.offers], needs: [...p.needs] }))
      if (own.length === 0) continue
      const inputs: InstanceNodeInput[] = [{ id: node.site, participants: own }]
      for (const [site, entries] of summaries) if (site !== node.site && entries.length > 0) inputs.push({ id: site, summary: entries })
      const started = performance.now()
      const clearing = clear(buildInstance(taxonomy, inputs), { cap: config.cap })
      clearingMs.push(performance.now() - started)
      for (const chain of clearing.chains) {
        if (!chain.steps.some((s) => s.node === node.site && s.participant !== undefined)) continue
        // the designated proposer: the involved node with the smallest site id (every node clears the same
        // summaries, so the others leave this chain to it instead of reserving their units for their own)
        if (chain.steps.some((s) => s.node < node.site)) continue
        const steps = chain.steps.map((s) => ({ node: nodeBySite.get(s.node)!.id, site: s.node, need: s.need, offer: s.offer, ...(s.participant === undefined ? {} : { participant: s.participant }) }))
        const deadline = now + consentWindow
        const content: ChainContent = {
          version: CHAIN_CONTENT_VERSION,
          federation_id: federationId,
          proposer: node.id,
          proposed_at_ms: now,
          steps,
          edges: cycleEdges(steps, steps.map(() => MATCHED_EDGE_SCORE_PERMILLE)),
          timeline: { consent_deadline_ms: deadline, execution_start_ms: deadline, execution_end_ms: deadline + 3600_000 }
        }
        if (node.state.chains.get(chainId(content)) !== undefined) continue
        proposed++
        proposedThisRound++
        apply(node, { type: 'propose', content })
      }
    }
    rounds = round + 1
    const committed = [...committedAt.values()].filter((m) => m.size > 0).length
    progress(`round ${round + 1}: proposed ${proposedThisRound}, chains committed so far ${committed}, messages ${messages}, wall ${((performance.now() - wallStart) / 1000).toFixed(1)} s`)
    if (proposedThisRound === 0) break
  }
  while (queue.size > 0) {
    const event = queue.pop()!
    now = event.at
    event.run()
  }

  // the federated figure: chains every involved node holds committed
  const committedChains: ChainRecord[] = []
  const commitDelays: number[] = []
  let lastCommit = 0
  for (const [id, at] of committedAt) {
    const record = records.get(id)!
    if (!record.involved.every((n) => at.has(n))) continue
    committedChains.push(record)
    const last = Math.max(...at.values())
    lastCommit = Math.max(lastCommit, last)
    commitDelays.push(last - record.proposal.content.proposed_at_ms)
  }
  const servedBy = new Map<string, string>()
  for (const record of committedChains) {
    for (const b of record.bindings) {
      if (b === null) throw new Error(`committed chain ${record.id} has an unbound step`)
      const other = servedBy.get(b.participant)
      if (other !== undefined) throw new Error(`participant ${b.participant} is in two committed chains (${other}, ${record.id})`)
      servedBy.set(b.participant, record.id)
    }
  }
  const leftReserved = nodes.reduce((n, node) => n + node.state.reservations.size, 0)
  const open = nodes.reduce((n, node) => n + [...node.state.chains.values()].filter((r) => !FINISHED_PHASES.has(r.phase) && !(r.phase === 'committed' || r.phase === 'executing')).length, 0)
  if (open > 0) throw new Error(`${open} chains still open (not committed, not finished) after the run`)
  if (config.execute && leftReserved > 0) throw new Error(`${leftReserved} reservations left after every chain finished`)
  const completed = [...completeAt.entries()].filter(([id, set]) => records.get(id)!.involved.every((n) => set.has(n))).length

  const central = await centralised(taxonomy, sites, byNode, config.cap, config.central_time_limit_ms)
  let survivors: CentralFigure | null = null
  if (refused.size > 0) {
    survivors = await centralised(taxonomy, sites, byNode.map((list) => list.filter((p) => !refused.has(p.id))), config.cap, config.central_time_limit_ms)
  }
  const served = servedBy.size
  return {
    config,
    federated: {
      served,
      chains_proposed: proposed,
      chains_committed: committedChains.length,
      chains_completed: completed,
      chains_cancelled: cancelled,
      participants_refused: refused.size,
      refusers_served: [...refused].filter((p) => servedBy.has(p)).length,
      reservations_left: leftReserved,
      rounds,
      proposal_to_commit_ms: distribution(commitDelays),
      last_commit_ms: lastCommit === 0 ? 0 : lastCommit - MARKET_EPOCH_MS,
      messages,
      messages_rejected: rejected,
      chain_bytes_per_node: distribution(nodes.map((n) => n.chainBytes)),
      summary_bytes_per_node: distribution(nodes.map((n) => n.summaryBytes)),
      node_clearing_ms: distribution(clearingMs.map((ms) => Math.round(ms * 10) / 10))
    },
    centralised: central,
    centralised_survivors: survivors,
    ratio: central.served === 0 ? 1 : served / central.served,
    recovery: survivors === null ? null : survivors.served === 0 ? 1 : served / survivors.served,
    wall_ms: Math.round(performance.now() - wallStart)
  }
}
