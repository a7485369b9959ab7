/** Attestations: claims from history, canonical bytes, validation, latest per participant. */
export * from './constants.ts'
export * from './claims.ts'
export * from './attestation.ts'
