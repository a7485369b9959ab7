/**
 * Fresh participant keys: the randomness core may not have. The seeds are the
 * participant's to keep (`formatParticipantKey` in core/identity exports them).
 */
import { randomBytes } from 'node:crypto'
import type { HybridSigner, MlDsaLevel } from '../core/signature.ts'
import { PARTICIPANT_SEED_BYTES, participantSigner, type ParticipantKeySeeds, type SignerFromSeeds } from '../core/identity/participant-keys.ts'
import { hybridSignerFromSeeds, type MlDsaBackendName } from './hybrid.ts'
import { ML_DSA_LEVEL_DEFAULT } from './mldsa.ts'

/** New random seeds for a participant key (ML-DSA-65 unless told otherwise). */
export function generateParticipantSeeds (level: MlDsaLevel = ML_DSA_LEVEL_DEFAULT): ParticipantKeySeeds {
  return { ed25519Seed: new Uint8Array(randomBytes(PARTICIPANT_SEED_BYTES)), mldsaSeed: new Uint8Array(randomBytes(PARTICIPANT_SEED_BYTES)), level }
}

/** Seed expansion through this module's hybrid signer, for core's `participantSigner`. */
export function signerFromSeeds (backend?: MlDsaBackendName): SignerFromSeeds {
  return (seeds) => hybridSignerFromSeeds({ ...seeds, ...(backend === undefined ? {} : { backend }) })
}

/** The participant's signer for `seeds`. */
export function participantSignerFromSeeds (seeds: ParticipantKeySeeds, backend?: MlDsaBackendName): HybridSigner {
  return participantSigner(seeds, signerFromSeeds(backend))
}
