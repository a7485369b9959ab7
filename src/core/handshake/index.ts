/**
 * The federation handshake, pure (protocols/handshake.md): one negotiation
 * (session.ts), the relation it establishes over time (relation.ts), the
 * policy terms (policy.ts) and the signed transcript (transcript.ts).
 */
export * from './constants.ts'
export * from './errors.ts'
export * from './messages.ts'
export * from './policy.ts'
export * from './session.ts'
export * from './relation.ts'
export { transcriptBytes } from './transcript.ts'
