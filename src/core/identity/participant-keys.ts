/**
 * Participant-owned keys. A participant's hybrid key is made from two 32-byte
 * seeds that the participant holds (exported as a key string), not the node:
 * the same seeds give the same key on any node, so an identity moves with its
 * owner. Core takes the seeds as arguments and the seed-to-signer expansion as
 * a function (src/crypto's `hybridSignerFromSeeds`): no randomness, no crypto
 * backend here. Fresh seeds come from src/crypto/participant-keys.ts.
 */
import { fromString, toString } from 'uint8arrays'
import { InputError } from '../errors.ts'
import type { HybridSigner, MlDsaLevel } from '../signature.ts'

export const PARTICIPANT_SEED_BYTES = 32
/** Text form: `fedmesh-participant-key:1:<level>:<base64url of ed25519 seed ‖ ML-DSA seed>`. */
export const PARTICIPANT_KEY_PREFIX = 'fedmesh-participant-key'
export const PARTICIPANT_KEY_FORMAT_VERSION = 1

/** The two seeds of a participant's hybrid key and its ML-DSA level. */
export interface ParticipantKeySeeds {
  ed25519Seed: Uint8Array
  mldsaSeed: Uint8Array
  level: MlDsaLevel
}

/** Expands seeds to a signer (src/crypto's `hybridSignerFromSeeds` satisfies it). */
export type SignerFromSeeds = (seeds: ParticipantKeySeeds) => HybridSigner

export class InvalidParticipantKeyError extends InputError {
  static override readonly code = 'InvalidParticipantKeyError'
  override readonly name = 'InvalidParticipantKeyError'
}

function checkSeeds (seeds: ParticipantKeySeeds): void {
  if (seeds.ed25519Seed.length !== PARTICIPANT_SEED_BYTES || seeds.mldsaSeed.length !== PARTICIPANT_SEED_BYTES) {
    throw new InvalidParticipantKeyError(`participant key seeds are ${PARTICIPANT_SEED_BYTES} bytes each`)
  }
  if (seeds.level !== 44 && seeds.level !== 65 && seeds.level !== 87) throw new InvalidParticipantKeyError(`ML-DSA level must be 44, 65 or 87, got ${String(seeds.level)}`)
}

/** The participant's signer for `seeds`, expanded by `signerFromSeeds`. */
export function participantSigner (seeds: ParticipantKeySeeds, signerFromSeeds: SignerFromSeeds): HybridSigner {
  checkSeeds(seeds)
  return signerFromSeeds(seeds)
}

/** The exportable text form of a participant's seeds (a secret: whoever holds it is the participant). */
export function formatParticipantKey (seeds: ParticipantKeySeeds): string {
  checkSeeds(seeds)
  const both = new Uint8Array(2 * PARTICIPANT_SEED_BYTES)
  both.set(seeds.ed25519Seed, 0)
  both.set(seeds.mldsaSeed, PARTICIPANT_SEED_BYTES)
  return `${PARTICIPANT_KEY_PREFIX}:${PARTICIPANT_KEY_FORMAT_VERSION}:${seeds.level}:${toString(both, 'base64url')}`
}

/** Parses the text form back to seeds; throws InvalidParticipantKeyError. */
export function parseParticipantKey (text: string): ParticipantKeySeeds {
  const parts = text.trim().split(':')
  if (parts.length !== 4 || parts[0] !== PARTICIPANT_KEY_PREFIX) throw new InvalidParticipantKeyError(`not a participant key (expected ${PARTICIPANT_KEY_PREFIX}:1:<level>:<seeds>)`)
  if (parts[1] !== String(PARTICIPANT_KEY_FORMAT_VERSION)) throw new InvalidParticipantKeyError(`participant key format ${parts[1]} is not supported`)
  const level = Number(parts[2])
  const encoded = parts[3]!
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new InvalidParticipantKeyError('participant key seeds are not base64url')
  const both = fromString(encoded, 'base64url')
  if (both.length !== 2 * PARTICIPANT_SEED_BYTES) throw new InvalidParticipantKeyError(`participant key seeds must be ${2 * PARTICIPANT_SEED_BYTES} bytes, got ${both.length}`)
  const seeds = { ed25519Seed: both.slice(0, PARTICIPANT_SEED_BYTES), mldsaSeed: both.slice(PARTICIPANT_SEED_BYTES), level: level as MlDsaLevel }
  checkSeeds(seeds)
  return seeds
}
