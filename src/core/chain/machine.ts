/**
 * The chain settlement state machine of one node, in etcd raft's style:
 * `stepChain(state, event, context)` returns the next state, the records to
 * persist (before anything is sent) and the messages to send. It never
 * mutates its input; time, keys, the signer and the participant directory
 * come in the context. Replaying any message gives the same state and no new
 * effects (`outcome: 'duplicate'`).
 */
import type { ClaimValue, SignedStatement } from '../identity/statement.ts'
import { bindSteps } from './binding.ts'
import { CLOCK_SKEW_MS_MAX } from './constants.ts'
import { ChainStateError, InvalidChainError, InvalidClaimsError, NotInvolvedError, ProposalClockError, UnknownNodeError } from './errors.ts'
import { markIncomplete } from './execution.ts'
import { applyExecution } from './execution.ts'
import { publicKeyToClaims, signNodeStatement } from './node-statement.ts'
import { AUTO_CONSENT_KIND, CONFIRMATION_KIND, CONSENT_KIND, DELIVERY_KIND, REFUSAL_KIND, confirmationClaims, ruleCovers, stepClaims } from './participant-statements.ts'
import { chainId, involvedNodes, signProposal, validateChainContent, verifyProposal, type ChainContent, type SignedProposal } from './proposal.ts'
import { advance, applyConsent, applyRefusal, applyValidation, cancelIfSafe, localBinding, receiveAbort, receiveCommit, receiveValidation } from './settlement.ts'
import { FINISHED_PHASES, type ChainContext, type ChainEvent, type ChainMessage, type ChainNodeState, type ChainRecord, type ChainStepResult, type StepOutcome } from './state.ts'
import { Step, unchanged } from './step.ts'

function newRecord (id: string, proposal: SignedProposal): ChainRecord {
  const n = proposal.content.steps.length
  const none = <T>(): Array<T | null> => new Array<T | null>(n).fill(null)
  return {
    id,
    proposal,
    involved: involvedNodes(proposal.content),
    phase: 'validating',
    validations: {},
    bindings: none(),
    consents: none(),
    refusals: none(),
    commits: {},
    aborts: {},
    decision: null,
    deliveries: none(),
    confirmations: none(),
    cancel: null,
    unconfirmed: [],
    finished_at_ms: null
  }
}

/** Binds this node's steps, reserves, signs its validation and applies it; queues standing consents. */
function validateLocally (step: Step, record: ChainRecord, announce: boolean): ChainRecord {
  const { ctx } = step
  const content = record.proposal.content
  const bound = bindSteps({
    content,
    node: step.self,
    directory: ctx.directory,
    isReserved: (p) => step.state.reservations.has(p),
    policy: ctx.policy,
    chainsOpen: step.state.open - 1
  })
  const claims: Record<string, ClaimValue> = bound.ok
    ? { accepted: true, bindings: bound.bindings.map((b) => ({ index: b.index, participant: b.participant, public_key: publicKeyToClaims(b.publicKey) })) }
    : { accepted: false, reason: bound.reason }
  const validation = signNodeStatement({ kind: 'chain.validation', node: step.self, subject: record.id, issuedAtMs: ctx.nowMs, claims }, ctx.signer)
  if (bound.ok) for (const b of bound.bindings) step.reserve(b.participant, record.id)
  if (announce) step.send(record, { kind: 'validation', validation })
  record = applyValidation(step, record, validation)
  if (!bound.ok) return record
  for (const b of bound.bindings) {
    const rule = ctx.directory.get(b.participant)?.autoConsent
    if (rule === undefined || !ruleCovers(rule, content, b.index)) continue
    if (applyConsent(step, record.id, b.index, rule) === 'applied') step.send(record, { kind: 'consent', chain: record.id, index: b.index, statement: rule })
  }
  return step.get(record.id)!
}

/** This node proposes `content` (it must be its proposer and host a step). */
function propose (step: Step, content: ChainContent): StepOutcome {
  validateChainContent(content)
  if (content.proposer !== step.self) throw new InvalidChainError(`a node proposes as itself (${step.self}), not as ${content.proposer}`)
  if (content.federation_id !== step.state.federation_id) throw new InvalidChainError(`chain for federation ${content.federation_id}, this node is in ${step.state.federation_id}`)
  const id = chainId(content)
  if (step.get(id) !== undefined) return 'duplicate'
  const record = step.put(newRecord(id, signProposal(content, step.ctx.signer)))
  // the proposal goes out before this node's validation, so peers know the chain when the validation lands
  const outboundBefore = step.outbound.length
  step.send(record, { kind: 'proposal', proposal: record.proposal })
  const validated = validateLocally(step, record, true)
  if (validated.cancel?.reason === 'rejected' && validated.cancel.node === step.self) {
    step.outbound.splice(outboundBefore) // our own participants are gone: nobody else needs to hear of it
  }
  return 'applied'
}

/** A proposal from a peer: checked (schema, involvement, membership, signature, clock), then validated here. */
function receiveProposal (step: Step, proposal: SignedProposal): StepOutcome {
  const { content } = proposal
  validateChainContent(content)
  const id = chainId(content)
  if (step.get(id) !== undefined) return 'duplicate'
  if (content.federation_id !== step.state.federation_id) throw new InvalidChainError(`chain for federation ${content.federation_id}, this node is in ${step.state.federation_id}`)
  if (!content.steps.some((s) => s.node === step.self)) throw new NotInvolvedError(`chain ${id} has no step on this node`)
  const key = step.ctx.nodeKey(content.proposer)
  if (key === undefined) throw new UnknownNodeError(`proposer ${content.proposer} is not a member of the federation`)
  verifyProposal(proposal, key, step.ctx.verifier)
  const now = step.ctx.nowMs
  if (content.proposed_at_ms > now + CLOCK_SKEW_MS_MAX) throw new ProposalClockError(`chain ${id} is proposed ${content.proposed_at_ms - now} ms in the future (skew allowed ${CLOCK_SKEW_MS_MAX} ms)`)
  if (now >= content.timeline.consent_deadline_ms) throw new ProposalClockError(`chain ${id} arrived after its consent deadline`)
  validateLocally(step, step.put(newRecord(id, proposal)), true)
  return 'applied'
}

function receive (step: Step, from: string, message: ChainMessage): StepOutcome {
  if (message.kind === 'proposal') {
    if (from !== message.proposal.content.proposer) throw new NotInvolvedError(`a proposal of ${message.proposal.content.proposer} relayed by ${from}`)
    return receiveProposal(step, message.proposal)
  }
  const chain = message.kind === 'validation' ? message.validation.statement.subject
    : message.kind === 'abort' ? message.abort.statement.subject
      : message.kind === 'commit' ? message.commit.chain
        : message.kind === 'consent' ? message.chain
          : String(message.statement.statement.claims['chain'])
  const known = step.get(chain)
  if (known !== undefined && !known.involved.includes(from)) throw new NotInvolvedError(`${from} hosts no step of chain ${chain}`)
  switch (message.kind) {
    case 'validation': return receiveValidation(step, message.validation)
    case 'commit': return receiveCommit(step, message.commit)
    case 'abort': return receiveAbort(step, message.abort)
    case 'consent': return applyConsent(step, message.chain, message.index, message.statement)
    case 'statement': return applyStatement(step, message.statement)
  }
}

function applyStatement (step: Step, signed: SignedStatement): StepOutcome {
  switch (signed.statement.kind) {
    case REFUSAL_KIND: return applyRefusal(step, signed)
    case DELIVERY_KIND:
    case CONFIRMATION_KIND: return applyExecution(step, signed)
    default: throw new InvalidClaimsError(`a chain statement is a refusal, delivery or confirmation, got ${signed.statement.kind}`)
  }
}

/** A local participant's statement (CLI / API): applied like a peer's, then sent to every other involved node. */
function participantStatement (step: Step, signed: SignedStatement): StepOutcome {
  const { statement } = signed
  if (statement.kind === AUTO_CONSENT_KIND) throw new InvalidClaimsError('a standing rule is stored with the participant, not sent for one chain')
  const claims = statement.kind === CONFIRMATION_KIND ? confirmationClaims(statement) : stepClaims(statement, statement.kind as typeof CONSENT_KIND)
  const role = statement.kind === DELIVERY_KIND ? 'provider' : statement.kind === CONFIRMATION_KIND ? 'recipient' : undefined
  const record = localBinding(step, claims.chain, claims.index, statement.participant, role)
  // queued before applying, so peers get the participant's own word before any abort it causes
  // (a step that throws or changes nothing sends nothing)
  step.send(record, statement.kind === CONSENT_KIND ? { kind: 'consent', chain: claims.chain, index: claims.index, statement: signed } : { kind: 'statement', statement: signed })
  const outcome = statement.kind === CONSENT_KIND ? applyConsent(step, claims.chain, claims.index, signed) : applyStatement(step, signed)
  if (outcome === 'ignored' || outcome === 'deferred') {
    throw new ChainStateError(`chain ${claims.chain} is ${record.phase}: a ${statement.kind} is not accepted now`)
  }
  return outcome
}

/** Deadlines at `nowMs`: consent deadline (abort unless this node signed a commit), execution start and end. */
function tick (step: Step): StepOutcome {
  const now = step.ctx.nowMs
  const due: ChainRecord[] = []
  step.state.chains.forEach((record) => {
    if (FINISHED_PHASES.has(record.phase)) return
    const t = record.proposal.content.timeline
    const consentDue = (record.phase === 'validating' || record.phase === 'consenting') && now >= t.consent_deadline_ms
    const executionDue = (record.phase === 'committed' && now >= t.execution_start_ms) || ((record.phase === 'committed' || record.phase === 'executing') && now >= t.execution_end_ms)
    if (consentDue || executionDue) due.push(record)
  })
  due.sort((a, b) => (a.id < b.id ? -1 : 1)) // the same writes in the same order on every replay
  for (const record of due) {
    if (record.phase === 'validating' || record.phase === 'consenting') {
      for (const node of record.involved) if (record.validations[node] === undefined) step.fact(node, record.id, 'late')
      cancelIfSafe(step, record, { reason: 'consent_deadline' })
    } else if (now >= record.proposal.content.timeline.execution_end_ms) {
      markIncomplete(step, record)
    } else {
      advance(step, step.put({ ...record, phase: 'executing' }))
    }
  }
  return due.length > 0 ? 'applied' : 'duplicate'
}

/** One step of the chain machine. Throws a named InputError for a bad message (the stream answers REJECT). */
export function stepChain (state: ChainNodeState, event: ChainEvent, context: ChainContext): ChainStepResult {
  const step = new Step(state, context)
  let outcome: StepOutcome
  switch (event.type) {
    case 'propose': outcome = propose(step, event.content); break
    case 'receive': outcome = receive(step, event.from, event.message); break
    case 'participant': outcome = participantStatement(step, event.statement); break
    case 'tick': outcome = tick(step); break
  }
  return outcome === 'applied' ? step.result() : unchanged(state, outcome)
}
