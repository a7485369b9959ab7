/**
 * Chain settlement errors: one class per failure, each with a stable `name`
 * callers branch on. All are InputError (a peer's or an operator's fault: the
 * stream answers REJECT, the CLI exits 2); anything else thrown is a bug.
 */
import { InputError } from '../errors.ts'

function named (name: string): typeof InputError {
  return class extends InputError {
    static override readonly code: string = name
    override readonly name: string = name
  }
}

/** A chain's content breaks the schema: a field out of its grammar or limits. */
export class InvalidChainError extends named('InvalidChainError') {}
/** Fewer than CHAIN_LENGTH_MIN or more than CHAIN_LENGTH_MAX steps. */
export class ChainLengthError extends named('ChainLengthError') {}
/** The steps do not close a cycle: an offer is not the next step's need, or the edges are not the cycle's. */
export class ChainNotACycleError extends named('ChainNotACycleError') {}
/** A participant named in two steps. */
export class DuplicateChainParticipantError extends named('DuplicateChainParticipantError') {}
/** Timeline out of order or a window beyond its limit. */
export class ChainTimelineError extends named('ChainTimelineError') {}
/** The proposer hosts none of the chain's steps: a node proposes only chains of its own participants. */
export class ProposerNotInvolvedError extends named('ProposerNotInvolvedError') {}
/** The proposer's signature does not verify. */
export class ProposalSignatureError extends named('ProposalSignatureError') {}
/** A proposal from the future (beyond the clock skew) or past its consent deadline. */
export class ProposalClockError extends named('ProposalClockError') {}
/** A node that is not a federation member (no key in the membership). */
export class UnknownNodeError extends named('UnknownNodeError') {}
/** A message about a chain this node has no part in. */
export class NotInvolvedError extends named('NotInvolvedError') {}
/** A node's validation, abort or commit signature does not verify with its membership key. */
export class NodeSignatureError extends named('NodeSignatureError') {}
/** A consent, refusal or standing rule that does not verify with the bound participant's own key. */
export class ForgedConsentError extends named('ForgedConsentError') {}
/** A delivery, confirmation or dispute statement that does not verify with its participant's key. */
export class ForgedStatementError extends named('ForgedStatementError') {}
/** A statement from a participant who is not the one bound to that step or edge, or about another chain. */
export class StatementMismatchError extends named('StatementMismatchError') {}
/** A statement or node statement whose claims are not of the kind's shape. */
export class InvalidClaimsError extends named('InvalidClaimsError') {}
/** A standing consent rule that does not cover this chain (too long, other categories, expired). */
export class RuleNotSatisfiedError extends named('RuleNotSatisfiedError') {}
/** A node's validation does not fit the chain (bindings for steps it does not host, missing steps). */
export class InvalidValidationError extends named('InvalidValidationError') {}
/** A node signed both a commit and an abort for one chain (evidence of a faulty node). */
export class ConflictingDecisionError extends named('ConflictingDecisionError') {}
/** A commit certificate without every involved node's valid signature. */
export class InvalidCertificateError extends named('InvalidCertificateError') {}
/** A message the chain's state does not allow (a delivery before commitment, a local consent after cancel). */
export class ChainStateError extends named('ChainStateError') {}
/** A dispute message the dispute's layer does not allow. */
export class DisputeStateError extends named('DisputeStateError') {}
/** A dispute statement from someone who is not a party, home node or arbitrator of it. */
export class NotADisputePartyError extends named('NotADisputePartyError') {}
/** Fewer uninvolved eligible members than an arbitration panel needs. */
export class NoArbitratorsError extends named('NoArbitratorsError') {}
/** Bytes that do not decode as a chain message or attestation, or exceed their size limit. */
export class MalformedChainMessageError extends named('MalformedChainMessageError') {}
