/**
 * ChainProposal: what a node proposes to every home node of a chain. The
 * chain id is the SHA-256 of the canonical content (RFC 8785 JSON after a
 * domain), so every node derives the same id from the same content, whatever
 * encoding carried it; the proposer signs the same canonical bytes.
 */
import { createHash } from 'node:crypto'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from '../consensus/canonical.ts'
import { parseParticipantId, type InvalidParticipantIdError } from '../identity/participant-id.ts'
import { isPeerIdText } from '../identity/peer-id.ts'
import { CATEGORY_PATTERN } from '../matching/taxonomy.ts'
import {
  CATEGORY_LENGTH_MAX, CHAIN_CONTENT_VERSION, CHAIN_ID_DOMAIN, CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, CONSENT_WINDOW_MS_MAX,
  CONSENT_WINDOW_MS_MIN, EXECUTION_DELAY_MS_MAX, EXECUTION_WINDOW_MS_MAX, FEDERATION_ID_LENGTH_MAX, MATCH_SCORE_PERMILLE_MAX,
  PROPOSAL_SIGNING_DOMAIN, SITE_ID_LENGTH_MAX
} from './constants.ts'
import {
  ChainLengthError, ChainNotACycleError, ChainTimelineError, DuplicateChainParticipantError, InvalidChainError,
  ProposalSignatureError, ProposerNotInvolvedError
} from './errors.ts'

/**
 * One participant's place in the chain. Its role is fixed by position: it
 * provides `offer` to the next step and receives `need` from the previous one.
 */
export interface ChainStepSpec {
  /** home node (PeerId) that binds and answers for this step */
  node: string
  /** the home node's site id, for people */
  site: string
  /** category received from the previous step */
  need: string
  /** category given to the next step */
  offer: string
  /** the participant, when the proposer binds one of its own; remote steps are bound by their home node */
  participant?: string
}

/** Edge i: step `provider` gives `category` to step `recipient` (= provider + 1, cyclically). */
export interface ChainEdge {
  provider: number
  recipient: number
  category: string
  /** how well this step fits, permille (the matcher's estimate) */
  score_permille: number
}

/** Milliseconds since the epoch. */
export interface ChainTimeline {
  consent_deadline_ms: number
  execution_start_ms: number
  execution_end_ms: number
}

/** Everything the chain id covers. */
export interface ChainContent {
  version: number
  federation_id: string
  /** the proposing node (PeerId); it hosts at least one step */
  proposer: string
  proposed_at_ms: number
  steps: ChainStepSpec[]
  edges: ChainEdge[]
  timeline: ChainTimeline
}

/** A proposal: the content and the proposer's hybrid signature over its canonical bytes. */
export interface SignedProposal {
  content: ChainContent
  signature: HybridSignature
}

const utf8 = new TextEncoder()

function canonicalContent (content: ChainContent): string {
  const steps = content.steps.map((s) => ({ node: s.node, site: s.site, need: s.need, offer: s.offer, ...(s.participant === undefined ? {} : { participant: s.participant }) }))
  const edges = content.edges.map((e) => ({ provider: e.provider, recipient: e.recipient, category: e.category, score_permille: e.score_permille }))
  const { consent_deadline_ms, execution_start_ms, execution_end_ms } = content.timeline
  return canonicalJson({
    version: content.version,
    federation_id: content.federation_id,
    proposer: content.proposer,
    proposed_at_ms: content.proposed_at_ms,
    steps,
    edges,
    timeline: { consent_deadline_ms, execution_start_ms, execution_end_ms }
  })
}

/** The canonical content bytes (no domain): RFC 8785 JSON of exactly the fields above. */
export function chainContentBytes (content: ChainContent): Uint8Array {
  validateChainContent(content)
  return utf8.encode(canonicalContent(content))
}

/** The chain id: hex SHA-256 of the id domain ‖ canonical content. */
export function chainId (content: ChainContent): string {
  return createHash('sha256').update(CHAIN_ID_DOMAIN).update(chainContentBytes(content)).digest('hex')
}

/** The bytes the proposer signs: the proposal domain ‖ canonical content. */
export function proposalSigningBytes (content: ChainContent): Uint8Array {
  const body = chainContentBytes(content)
  const domain = utf8.encode(PROPOSAL_SIGNING_DOMAIN)
  const out = new Uint8Array(domain.length + body.length)
  out.set(domain, 0)
  out.set(body, domain.length)
  return out
}

/** Signs content as its proposer. */
export function signProposal (content: ChainContent, signer: HybridSigner): SignedProposal {
  return { content, signature: signer.sign(proposalSigningBytes(content)) }
}

/** Checks the proposer's signature with its membership key; throws ProposalSignatureError. */
export function verifyProposal (proposal: SignedProposal, proposerKey: HybridPublicKey, verifier: SignatureVerifier): void {
  if (!verifier.verify(proposerKey, proposalSigningBytes(proposal.content), proposal.signature)) {
    throw new ProposalSignatureError(`the proposal of ${proposal.content.proposer} does not verify with its membership key`)
  }
}

/** The involved nodes: every step's home node, once each, sorted. */
export function involvedNodes (content: ChainContent): string[] {
  return [...new Set(content.steps.map((s) => s.node))].sort()
}

function isInteger (value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
}

function checkText (value: unknown, what: string, lengthMax: number, pattern?: RegExp): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > lengthMax || (pattern !== undefined && !pattern.test(value))) {
    throw new InvalidChainError(`${what} must be a non-empty string of at most ${lengthMax} characters${pattern === undefined ? '' : ' in its grammar'}, got ${JSON.stringify(value)?.slice(0, 80)}`)
  }
}

function checkPeer (value: unknown, what: string): void {
  if (typeof value !== 'string') throw new InvalidChainError(`${what} must be a PeerId string`)
  if (!isPeerIdText(value)) throw new InvalidChainError(`${what}: "${value.slice(0, 80)}" is not a base58 PeerId`)
}

function checkStep (step: ChainStepSpec, i: number): void {
  checkPeer(step.node, `step ${i} node`)
  checkText(step.site, `step ${i} site`, SITE_ID_LENGTH_MAX, /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/)
  checkText(step.need, `step ${i} need`, CATEGORY_LENGTH_MAX, CATEGORY_PATTERN)
  checkText(step.offer, `step ${i} offer`, CATEGORY_LENGTH_MAX, CATEGORY_PATTERN)
  if (step.need === step.offer) throw new ChainNotACycleError(`step ${i} needs what it offers (${step.need})`)
  if (step.participant !== undefined) {
    let home: string
    try {
      home = parseParticipantId(step.participant).node
    } catch (err) {
      throw new InvalidChainError(`step ${i} participant: ${(err as InvalidParticipantIdError).message}`)
    }
    // the id's node part is the home site (or, in the PeerId form, the home node itself)
    if (home !== step.site && home !== step.node) throw new InvalidChainError(`step ${i} participant ${step.participant} is not hosted by the step's node ${step.site} (${step.node})`)
  }
}

function checkTimeline (content: ChainContent): void {
  const t = content.timeline
  for (const [name, value] of [['proposed_at_ms', content.proposed_at_ms], ['consent_deadline_ms', t.consent_deadline_ms], ['execution_start_ms', t.execution_start_ms], ['execution_end_ms', t.execution_end_ms]] as const) {
    if (!isInteger(value, 1, Number.MAX_SAFE_INTEGER)) throw new ChainTimelineError(`${name} must be a positive integer of milliseconds`)
  }
  const consentWindow = t.consent_deadline_ms - content.proposed_at_ms
  if (consentWindow < CONSENT_WINDOW_MS_MIN || consentWindow > CONSENT_WINDOW_MS_MAX) {
    throw new ChainTimelineError(`the consent window is ${consentWindow} ms; it must be ${CONSENT_WINDOW_MS_MIN}..${CONSENT_WINDOW_MS_MAX} ms`)
  }
  const delay = t.execution_start_ms - t.consent_deadline_ms
  if (delay < 0 || delay > EXECUTION_DELAY_MS_MAX) throw new ChainTimelineError(`execution must start 0..${EXECUTION_DELAY_MS_MAX} ms after the consent deadline, got ${delay} ms`)
  const window = t.execution_end_ms - t.execution_start_ms
  if (window <= 0 || window > EXECUTION_WINDOW_MS_MAX) throw new ChainTimelineError(`the execution window is ${window} ms; it must be 1..${EXECUTION_WINDOW_MS_MAX} ms`)
}

/** Checks content against the schema and limits; throws the named error of the first failure. */
export function validateChainContent (content: ChainContent): void {
  if (content.version !== CHAIN_CONTENT_VERSION) throw new InvalidChainError(`chain content version ${String(content.version)} is not supported (expected ${CHAIN_CONTENT_VERSION})`)
  checkText(content.federation_id, 'federation_id', FEDERATION_ID_LENGTH_MAX, /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/)
  checkPeer(content.proposer, 'proposer')
  const { steps, edges } = content
  if (!Array.isArray(steps) || steps.length < CHAIN_LENGTH_MIN || steps.length > CHAIN_LENGTH_MAX) {
    throw new ChainLengthError(`a chain has ${CHAIN_LENGTH_MIN}..${CHAIN_LENGTH_MAX} steps, got ${Array.isArray(steps) ? steps.length : 'none'}`)
  }
  steps.forEach(checkStep)
  const named = new Set<string>()
  for (const step of steps) {
    if (step.participant === undefined) continue
    if (named.has(step.participant)) throw new DuplicateChainParticipantError(`participant ${step.participant} is named in two steps`)
    named.add(step.participant)
  }
  if (!Array.isArray(edges) || edges.length !== steps.length) throw new ChainNotACycleError(`a chain of ${steps.length} steps has ${steps.length} edges, got ${Array.isArray(edges) ? edges.length : 'none'}`)
  edges.forEach((edge, i) => {
    const next = (i + 1) % steps.length
    if (edge.provider !== i || edge.recipient !== next) throw new ChainNotACycleError(`edge ${i} must go from step ${i} to step ${next}`)
    if (edge.category !== steps[i]!.offer || steps[next]!.need !== steps[i]!.offer) {
      throw new ChainNotACycleError(`edge ${i}: step ${i} offers ${steps[i]!.offer} but step ${next} needs ${steps[next]!.need} (edge says ${String(edge.category)})`)
    }
    if (!isInteger(edge.score_permille, 0, MATCH_SCORE_PERMILLE_MAX)) throw new InvalidChainError(`edge ${i} score must be an integer 0..${MATCH_SCORE_PERMILLE_MAX} permille`)
  })
  if (!steps.some((s) => s.node === content.proposer)) throw new ProposerNotInvolvedError(`proposer ${content.proposer} hosts none of the chain's steps`)
  checkTimeline(content)
}

/** The edges of a cycle of steps, with one score per edge: what a proposer builds from a matched chain. */
export function cycleEdges (steps: readonly ChainStepSpec[], scoresPermille: readonly number[]): ChainEdge[] {
  return steps.map((step, i) => ({ provider: i, recipient: (i + 1) % steps.length, category: step.offer, score_permille: scoresPermille[i] ?? 0 }))
}
