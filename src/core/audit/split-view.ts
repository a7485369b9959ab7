/**
 * Split-view evidence: proof that one origin signed two histories that cannot
 * both be prefixes of one append-only log. Self-contained, like equivocation
 * evidence: anyone holding the origin's key can check it, so it is gossiped
 * and acted on without trusting whoever found it.
 *
 * Two shapes, both conclusive under SHA-256 collision resistance:
 * - `conflicting-roots`: two signed checkpoints of one size with different roots;
 * - `inconsistent-prefix`: signed checkpoints of sizes m < n and a consistency
 *   proof showing that the tree of size n the origin signed has, at size m, a
 *   root (`prefix_root`) other than the one it signed for m. Such a proof is
 *   what the forked side of a log produces when asked to prove consistency.
 */
import { fromString } from 'uint8arrays'
import type { HybridPublicKey, SignatureVerifier } from '../signature.ts'
import { HASH_BYTES, PROOF_HASHES_MAX } from './constants.ts'
import { InvalidSplitViewEvidenceError } from './errors.ts'
import { equalBytes, toHex } from './hash.ts'
import { isValidConsistencyProof } from './proof.ts'
import {
  signedCheckpointFromJson, signedCheckpointToJson, verifySignedCheckpoint, type SignedCheckpoint, type SignedCheckpointJson
} from './checkpoint.ts'

/** Two checkpoints of one size with different roots. */
export interface ConflictingRootsEvidence {
  kind: 'conflicting-roots'
  origin: string
  /** ordered by root hex, so the same pair always reads the same */
  checkpoints: [SignedCheckpoint, SignedCheckpoint]
}

/** A larger checkpoint whose prefix, by a valid consistency proof, is not the smaller checkpoint. */
export interface InconsistentPrefixEvidence {
  kind: 'inconsistent-prefix'
  origin: string
  older: SignedCheckpoint
  newer: SignedCheckpoint
  /** the root at older.size of the tree the newer checkpoint signs */
  prefix_root: Uint8Array
  /** consistency proof from (older.size, prefix_root) to (newer.size, newer.root) */
  proof: Uint8Array[]
}

export type SplitViewEvidence = ConflictingRootsEvidence | InconsistentPrefixEvidence

/** Evidence from two same-size checkpoints of one origin with different roots (unverified). */
export function conflictingRootsEvidence (a: SignedCheckpoint, b: SignedCheckpoint): ConflictingRootsEvidence {
  const checkpoints: [SignedCheckpoint, SignedCheckpoint] = toHex(a.root) < toHex(b.root) ? [a, b] : [b, a]
  return { kind: 'conflicting-roots', origin: a.origin, checkpoints }
}

/** Checks evidence against the origin's key: both signatures, and that it really shows a split. Throws a named error. */
export function verifySplitViewEvidence (evidence: SplitViewEvidence, originKey: HybridPublicKey, verifier: SignatureVerifier): void {
  const invalid = (why: string): never => { throw new InvalidSplitViewEvidenceError(`split-view evidence against ${evidence.origin}: ${why}`) }
  const pair = evidence.kind === 'conflicting-roots' ? evidence.checkpoints : [evidence.older, evidence.newer]
  if (pair.some((c) => c.origin !== evidence.origin)) invalid('a checkpoint is from another origin')
  if (evidence.kind === 'conflicting-roots') {
    const [a, b] = evidence.checkpoints
    if (a.size !== b.size) invalid(`sizes ${a.size} and ${b.size} differ (that needs inconsistent-prefix evidence)`)
    if (equalBytes(a.root, b.root)) invalid('both checkpoints have the same root')
  } else {
    const { older, newer, prefix_root: prefixRoot, proof } = evidence
    if (!(older.size > 0 && older.size < newer.size)) invalid(`sizes ${older.size} → ${newer.size} are not 0 < older < newer`)
    if (prefixRoot.length !== HASH_BYTES || proof.length > PROOF_HASHES_MAX) invalid('prefix root or proof malformed')
    if (equalBytes(prefixRoot, older.root)) invalid('the prefix root is the older root: the checkpoints are consistent')
    if (!isValidConsistencyProof({ oldSize: older.size, newSize: newer.size, oldRoot: prefixRoot, newRoot: newer.root, proof })) {
      invalid('the consistency proof does not tie the prefix root to the newer checkpoint')
    }
  }
  // signatures last: they are the expensive check (ML-DSA)
  for (const checkpoint of pair) verifySignedCheckpoint(checkpoint, originKey, verifier)
}

/** Evidence in JSON (hashes hex, checkpoints as SignedCheckpointJson). */
export type SplitViewEvidenceJson =
  | { kind: 'conflicting-roots', origin: string, checkpoints: [SignedCheckpointJson, SignedCheckpointJson] }
  | { kind: 'inconsistent-prefix', origin: string, older: SignedCheckpointJson, newer: SignedCheckpointJson, prefix_root: string, proof: string[] }

/** The JSON form of evidence. */
export function splitViewEvidenceToJson (evidence: SplitViewEvidence): SplitViewEvidenceJson {
  if (evidence.kind === 'conflicting-roots') {
    return { kind: evidence.kind, origin: evidence.origin, checkpoints: [signedCheckpointToJson(evidence.checkpoints[0]), signedCheckpointToJson(evidence.checkpoints[1])] }
  }
  return {
    kind: evidence.kind,
    origin: evidence.origin,
    older: signedCheckpointToJson(evidence.older),
    newer: signedCheckpointToJson(evidence.newer),
    prefix_root: toHex(evidence.prefix_root),
    proof: evidence.proof.map(toHex)
  }
}

const HEX_HASH = /^[0-9a-f]{64}$/

/** Evidence from JSON (shape-checked; verifySplitViewEvidence checks what it proves). */
export function splitViewEvidenceFromJson (json: SplitViewEvidenceJson): SplitViewEvidence {
  if (json?.kind === 'conflicting-roots' && Array.isArray(json.checkpoints) && json.checkpoints.length === 2) {
    return { kind: json.kind, origin: String(json.origin), checkpoints: [signedCheckpointFromJson(json.checkpoints[0]), signedCheckpointFromJson(json.checkpoints[1])] }
  }
  if (json?.kind === 'inconsistent-prefix' && typeof json.prefix_root === 'string' && HEX_HASH.test(json.prefix_root) &&
      Array.isArray(json.proof) && json.proof.length <= PROOF_HASHES_MAX && json.proof.every((h) => typeof h === 'string' && HEX_HASH.test(h))) {
    return {
      kind: json.kind,
      origin: String(json.origin),
      older: signedCheckpointFromJson(json.older),
      newer: signedCheckpointFromJson(json.newer),
      prefix_root: fromString(json.prefix_root, 'base16'),
      proof: json.proof.map((h) => fromString(h, 'base16'))
    }
  }
  throw new InvalidSplitViewEvidenceError('split-view evidence JSON has an unknown kind or a malformed field')
}

