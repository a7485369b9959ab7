/**
 * Settlement up to commitment: validations, consents, refusals, commit
 * signatures and aborts, and the rule that moves a chain forward.
 *
 * Atomic commitment (protocols/chain.md, "Why it is safe"): each involved
 * node signs either a commit or an abort for a chain, never both, and
 * persists which before sending it. A chain is committed exactly when every
 * involved node's commit signature is known; any abort (or rejecting
 * validation) proves it never will be. A node that has not signed cancels at
 * once on a refusal, an abort or its consent deadline; a node that has signed
 * a commit waits for the certificate or an abort, as releasing earlier could
 * put its participant in two committed chains.
 */
import type { ClaimValue, SignedStatement } from '../identity/statement.ts'
import { bytesEqual } from './bytes.ts'
import type { Binding, RejectReason } from './binding.ts'
import { REJECT_REASONS } from './binding.ts'
import { ChainStateError, ConflictingDecisionError, InvalidClaimsError, InvalidValidationError, NotInvolvedError, StatementMismatchError, UnknownNodeError } from './errors.ts'
import { publicKeyFromClaims, signCommit, signNodeStatement, verifyCommit, verifyNodeStatement, type CommitSignature, type SignedNodeStatement } from './node-statement.ts'
import { AUTO_CONSENT_KIND, CONSENT_KIND, REFUSAL_KIND, autoConsentRule, checkRuleCovers, stepClaims, verifyParticipantStatement } from './participant-statements.ts'
import { FINISHED_PHASES, type CancelCause, type ChainRecord, type StepOutcome } from './state.ts'
import type { Step } from './step.ts'
import { completeIfConfirmed } from './execution.ts'

function nodeKeyOf (step: Step, node: string): NonNullable<ReturnType<Step['ctx']['nodeKey']>> {
  const key = step.ctx.nodeKey(node)
  if (key === undefined) throw new UnknownNodeError(`${node} is not a member of the federation`)
  return key
}

function signatureEqual (a: { signature: { ed25519: Uint8Array, mldsa: Uint8Array } }, b: { signature: { ed25519: Uint8Array, mldsa: Uint8Array } }): boolean {
  return bytesEqual(a.signature.ed25519, b.signature.ed25519) && bytesEqual(a.signature.mldsa, b.signature.mldsa)
}

/** Signs and sends this node's abort, and cancels. Only when this node has not decided. */
function abortAsSelf (step: Step, record: ChainRecord, cause: CancelCause): ChainRecord {
  const claims: Record<string, ClaimValue> = cause.reason === 'refused' ? { reason: cause.reason, index: cause.index } : { reason: cause.reason }
  const abort = signNodeStatement({ kind: 'chain.abort', node: step.self, subject: record.id, issuedAtMs: step.ctx.nowMs, claims }, step.ctx.signer)
  const cancelled = step.finish(record, 'cancelled', { decision: 'abort', cancel: cause, aborts: { ...record.aborts, [step.self]: abort } })
  step.send(cancelled, { kind: 'abort', abort })
  return cancelled
}

/**
 * Cancels for `cause` when that is safe: a refusal or the deadline only before
 * this node signed a commit; another node's abort or rejection always (that
 * node will never sign, so no certificate can form).
 */
export function cancelIfSafe (step: Step, record: ChainRecord, cause: CancelCause): ChainRecord {
  if (FINISHED_PHASES.has(record.phase) || record.phase === 'committed' || record.phase === 'executing') return record
  const otherNodeSaidNo = cause.reason === 'rejected' || cause.reason === 'aborted'
  if (record.decision === 'commit') return otherNodeSaidNo ? step.finish(record, 'cancelled', { cancel: cause }) : record
  if (otherNodeSaidNo) return step.finish(record, 'cancelled', { decision: 'abort', cancel: cause })
  return abortAsSelf(step, record, cause)
}

/** Moves a chain as far as what it holds allows: consenting, this node's commit, committed, complete. */
export function advance (step: Step, record: ChainRecord): ChainRecord {
  if (FINISHED_PHASES.has(record.phase)) return record
  const content = record.proposal.content
  if (record.phase === 'validating' && record.involved.every((node) => record.validations[node]?.statement.claims['accepted'] === true)) {
    record = step.put({ ...record, phase: 'consenting' })
  }
  if (record.phase === 'consenting' && record.decision === null && record.consents.every((c) => c !== null) && step.ctx.nowMs < content.timeline.consent_deadline_ms) {
    const commit = signCommit(record.id, step.self, step.ctx.signer)
    record = step.put({ ...record, phase: 'committing', decision: 'commit', commits: { ...record.commits, [step.self]: commit } })
    step.send(record, { kind: 'commit', commit })
  }
  if (record.phase === 'committing' && record.involved.every((node) => record.commits[node] !== undefined)) {
    record = step.put({ ...record, phase: step.ctx.nowMs >= content.timeline.execution_start_ms ? 'executing' : 'committed' })
  }
  if (record.phase === 'committed' || record.phase === 'executing') record = completeIfConfirmed(step, record)
  return record
}

interface ParsedValidation { accepted: true, bindings: Binding[] }
interface ParsedRejection { accepted: false, reason: RejectReason }

/** Checks a validation's claims against the chain: bindings for exactly the node's steps, named participants kept. */
export function parseValidation (record: ChainRecord, node: string, claims: Record<string, unknown>): ParsedValidation | ParsedRejection {
  const content = record.proposal.content
  if (claims['accepted'] === false) {
    const reason = claims['reason']
    if (!(REJECT_REASONS as readonly unknown[]).includes(reason)) throw new InvalidValidationError(`a rejection's reason must be one of ${REJECT_REASONS.join(', ')}`)
    return { accepted: false, reason: reason as RejectReason }
  }
  if (claims['accepted'] !== true || !Array.isArray(claims['bindings'])) throw new InvalidValidationError('a validation is { accepted: true, bindings } or { accepted: false, reason }')
  const hosted = content.steps.map((s, i) => (s.node === node ? i : -1)).filter((i) => i >= 0)
  const raw = claims['bindings'] as Array<Record<string, unknown>>
  if (raw.length !== hosted.length) throw new InvalidValidationError(`${node} hosts ${hosted.length} steps but bound ${raw.length}`)
  const bindings = raw.map((b, k): Binding => {
    const index = b['index']
    const participant = b['participant']
    if (index !== hosted[k] || typeof participant !== 'string') throw new InvalidValidationError(`binding ${k} of ${node} must be for step ${String(hosted[k])}`)
    const named = content.steps[index]!.participant
    if (named !== undefined && named !== participant) throw new InvalidValidationError(`step ${index} names ${named}, ${node} bound ${participant}`)
    // a participant id's node part is its home's site id (or, in the PeerId form, the node itself);
    // receivers check the content's site labels against the membership before stepping a proposal
    const site = content.steps[index]!.site
    if (!participant.startsWith('sep://') || !(participant.endsWith(`@${node}`) || participant.endsWith(`@${site}`))) throw new InvalidValidationError(`${node} bound ${participant}, not one of its participants`)
    return { index, participant, publicKey: publicKeyFromClaims(b['public_key']) }
  })
  if (new Set(bindings.map((b) => b.participant)).size !== bindings.length) throw new InvalidValidationError(`${node} bound one participant to two steps`)
  for (const other of record.bindings) {
    if (other !== null && bindings.some((b) => b.participant === other.participant && b.index !== other.index)) throw new InvalidValidationError(`${other.participant} is bound twice`)
  }
  return { accepted: true, bindings }
}

/** Applies a node's validation (its own or a peer's, already signature-checked). */
export function applyValidation (step: Step, record: ChainRecord, validation: SignedNodeStatement): ChainRecord {
  const node = validation.statement.node
  const parsed = parseValidation(record, node, validation.statement.claims)
  step.fact(node, record.id, step.ctx.nowMs < record.proposal.content.timeline.consent_deadline_ms ? 'on_time' : 'late')
  let next: ChainRecord = { ...record, validations: { ...record.validations, [node]: validation } }
  if (!parsed.accepted) {
    next = step.put(next)
    return cancelIfSafe(step, next, { reason: 'rejected', node, reject: parsed.reason })
  }
  const bindings = [...next.bindings]
  for (const b of parsed.bindings) bindings[b.index] = b
  return advance(step, step.put({ ...next, bindings }))
}

/** A validation from a peer. */
export function receiveValidation (step: Step, validation: SignedNodeStatement): StepOutcome {
  const { statement } = validation
  if (statement.kind !== 'chain.validation') throw new InvalidClaimsError(`expected a chain.validation, got ${statement.kind}`)
  const record = step.get(statement.subject)
  if (record === undefined) return 'deferred'
  if (!record.involved.includes(statement.node)) throw new NotInvolvedError(`${statement.node} hosts no step of chain ${record.id}`)
  const known = record.validations[statement.node]
  if (known !== undefined) {
    if (signatureEqual(known, validation)) return 'duplicate'
    throw new ConflictingDecisionError(`${statement.node} sent two different validations for chain ${record.id}`)
  }
  verifyNodeStatement(validation, nodeKeyOf(step, statement.node), step.ctx.verifier)
  if (FINISHED_PHASES.has(record.phase)) return 'ignored'
  applyValidation(step, record, validation)
  return 'applied'
}

/** Checks that a consent or standing rule is for step `index` of the chain and signed by the bound participant. */
function checkConsent (step: Step, record: ChainRecord, index: number, binding: Binding, signed: SignedStatement): void {
  const { statement } = signed
  if (statement.kind === CONSENT_KIND) {
    const claims = stepClaims(statement, CONSENT_KIND)
    if (claims.chain !== record.id || claims.index !== index) throw new StatementMismatchError(`a consent for ${claims.chain} step ${claims.index} sent for ${record.id} step ${index}`)
  } else if (statement.kind === AUTO_CONSENT_KIND) {
    checkRuleCovers(autoConsentRule(statement), statement, record.proposal.content, index)
  } else {
    throw new InvalidClaimsError(`a consent is a ${CONSENT_KIND} or ${AUTO_CONSENT_KIND} statement, got ${statement.kind}`)
  }
  verifyParticipantStatement(signed, binding.participant, binding.publicKey, step.ctx.verifier)
}

/** A consent (or standing rule) for step `index`; deferred until the step's binding is known. */
export function applyConsent (step: Step, chain: string, index: number, signed: SignedStatement): StepOutcome {
  const record = step.get(chain)
  if (record === undefined) return 'deferred'
  if (!Number.isInteger(index) || index < 0 || index >= record.consents.length) throw new InvalidClaimsError(`chain ${chain} has no step ${index}`)
  const binding = record.bindings[index]
  if (binding === null || binding === undefined) return 'deferred'
  const known = record.consents[index]
  if (known !== null && known !== undefined && signatureEqual(known, signed)) return 'duplicate'
  checkConsent(step, record, index, binding, signed)
  if (FINISHED_PHASES.has(record.phase) || known !== null || record.refusals[index] !== null) return 'ignored'
  const consents = [...record.consents]
  consents[index] = signed
  advance(step, step.put({ ...record, consents }))
  return 'applied'
}

/** A refusal of step `index`: cancels (when safe) and releases at once. */
export function applyRefusal (step: Step, signed: SignedStatement): StepOutcome {
  const claims = stepClaims(signed.statement, REFUSAL_KIND)
  const record = step.get(claims.chain)
  if (record === undefined) return 'deferred'
  if (claims.index >= record.refusals.length) throw new InvalidClaimsError(`chain ${record.id} has no step ${claims.index}`)
  const binding = record.bindings[claims.index]
  if (binding === null || binding === undefined) return 'deferred'
  const known = record.refusals[claims.index]
  if (known !== null && known !== undefined && signatureEqual(known, signed)) return 'duplicate'
  verifyParticipantStatement(signed, binding.participant, binding.publicKey, step.ctx.verifier)
  if (FINISHED_PHASES.has(record.phase) || known !== null || record.consents[claims.index] !== null) return 'ignored'
  const refusals = [...record.refusals]
  refusals[claims.index] = signed
  cancelIfSafe(step, step.put({ ...record, refusals }), { reason: 'refused', index: claims.index })
  return 'applied'
}

/** A peer's commit signature. */
export function receiveCommit (step: Step, commit: CommitSignature): StepOutcome {
  const record = step.get(commit.chain)
  if (record === undefined) return 'deferred'
  if (!record.involved.includes(commit.node)) throw new NotInvolvedError(`${commit.node} hosts no step of chain ${record.id}`)
  const known = record.commits[commit.node]
  if (known !== undefined && signatureEqual(known, commit)) return 'duplicate'
  verifyCommit(commit, nodeKeyOf(step, commit.node), step.ctx.verifier)
  if (record.aborts[commit.node] !== undefined) throw new ConflictingDecisionError(`${commit.node} signed both an abort and a commit for chain ${record.id}`)
  if (known !== undefined || record.phase === 'cancelled') return 'ignored'
  advance(step, step.put({ ...record, commits: { ...record.commits, [commit.node]: commit } }))
  return 'applied'
}

/** A peer's abort: that node never commits, so the chain cancels here too. */
export function receiveAbort (step: Step, abort: SignedNodeStatement): StepOutcome {
  const { statement } = abort
  if (statement.kind !== 'chain.abort') throw new InvalidClaimsError(`expected a chain.abort, got ${statement.kind}`)
  const record = step.get(statement.subject)
  if (record === undefined) return 'deferred'
  if (!record.involved.includes(statement.node)) throw new NotInvolvedError(`${statement.node} hosts no step of chain ${record.id}`)
  const known = record.aborts[statement.node]
  if (known !== undefined && signatureEqual(known, abort)) return 'duplicate'
  verifyNodeStatement(abort, nodeKeyOf(step, statement.node), step.ctx.verifier)
  if (record.commits[statement.node] !== undefined) throw new ConflictingDecisionError(`${statement.node} signed both a commit and an abort for chain ${record.id}`)
  if (known !== undefined) return 'ignored'
  const next = step.put({ ...record, aborts: { ...record.aborts, [statement.node]: abort } })
  cancelIfSafe(step, next, { reason: 'aborted', node: statement.node })
  return 'applied'
}

/** The step and binding of a local participant's statement; throws when the participant is not bound there by this node. */
export function localBinding (step: Step, chain: string, index: number, participant: string, edgeRole?: 'provider' | 'recipient'): ChainRecord {
  const record = step.get(chain)
  if (record === undefined) throw new ChainStateError(`no chain ${chain} on this node`)
  const content = record.proposal.content
  if (!Number.isInteger(index) || index < 0 || index >= content.steps.length) throw new InvalidClaimsError(`chain ${chain} has no step or edge ${index}`)
  const stepIndex = edgeRole === 'recipient' ? content.edges[index]!.recipient : index
  const binding = record.bindings[stepIndex]
  if (content.steps[stepIndex]!.node !== step.self || binding === null || binding === undefined || binding.participant !== participant) {
    throw new StatementMismatchError(`${participant} is not bound to step ${stepIndex} of chain ${chain} on this node`)
  }
  return record
}
