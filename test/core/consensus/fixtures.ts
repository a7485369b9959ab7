/**
 * Members for consensus tests: real hybrid signers (Ed25519 + native ML-DSA)
 * from fixed seeds, and, for the many-seed property test only, cheap digest
 * "signatures" that keep the tally logic under test while costing microseconds.
 */
import { createHash } from 'node:crypto'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { HybridSigner, SignatureVerifier } from '../../../src/core/signature.ts'
import { createMembership, type Membership } from '../../../src/core/consensus/membership.ts'
import { signVote, type Vote } from '../../../src/core/consensus/vote.ts'
import type { Member } from '../../../src/core/consensus/member.ts'

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** A syntactically valid, deterministic node id for member `index`. */
export function nodeId (index: number): string {
  let digits = ''
  let value = index
  do { digits = BASE58[value % 58] + digits; value = Math.floor(value / 58) } while (value > 0)
  return `12D3KooW${digits.padStart(44, '1')}`
}

/** 32 bytes derived from a label: deterministic seeds for test keys. */
export function seed (label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(label).digest())
}

/** The hex SHA-256 of a label: a stand-in event hash. */
export function hashOf (label: string): string {
  return createHash('sha256').update(label).digest('hex')
}

export interface TestMember {
  node_id: string
  signer: HybridSigner
}

const realSigners = new Map<number, HybridSigner>()

/** Member `index` with real hybrid keys (native ML-DSA-65), cached across tests. */
export function realMember (index: number): TestMember {
  let signer = realSigners.get(index)
  if (signer === undefined) {
    signer = hybridSignerFromSeeds({ ed25519Seed: seed(`ed25519/${index}`), mldsaSeed: seed(`mldsa/${index}`), backend: 'native' })
    realSigners.set(index, signer)
  }
  return { node_id: nodeId(index), signer }
}

export const realVerifier: SignatureVerifier = hybridVerifier('native')

/**
 * Digest "signatures" for the property test: sig = SHA-256(public key ‖ message).
 * Anyone can compute them, so they prove nothing cryptographically; the safety
 * property is about counting, and the byzantine nodes in it sign only as themselves.
 */
export function digestMember (index: number): TestMember {
  const ed25519 = seed(`digest/${index}`)
  const publicKey = { ed25519, mldsa: new Uint8Array(0), mldsaLevel: 65 as const }
  return {
    node_id: nodeId(index),
    signer: { publicKey, sign: (message) => ({ ed25519: new Uint8Array(createHash('sha256').update(ed25519).update(message).digest()), mldsa: new Uint8Array(0) }) }
  }
}

export const digestVerifier: SignatureVerifier = {
  verify: (publicKey, message, signature) =>
    Buffer.from(createHash('sha256').update(publicKey.ed25519).update(message).digest()).equals(Buffer.from(signature.ed25519))
}

/** A membership of the given test members, joined at time 0. */
export function membershipOf (federationId: string, members: TestMember[], epoch = 0): Membership {
  const list: Member[] = members.map((m) => ({ node_id: m.node_id, public_key: m.signer.publicKey, joined_at: 0 }))
  return createMembership(federationId, list, epoch)
}

/** A vote by `member`. */
export function voteBy (member: TestMember, federationId: string, slot: string, eventHash: string): Vote {
  return signVote(member.signer, { federation_id: federationId, slot, event_hash: eventHash, voter: member.node_id })
}
