/** Node reputation: attestation accuracy and protocol adherence per member. */
export * from './reputation.ts'
