/**
 * Chain settlement's public surface: proposals and ids, binding, the step
 * machine, certificates, disputes, the arbitration draw, evidence, the codec.
 */
export * from './constants.ts'
export * from './errors.ts'
export * from './proposal.ts'
export * from './binding.ts'
export * from './node-statement.ts'
export * from './participant-statements.ts'
export * from './state.ts'
export * from './machine.ts'
export * from './certificate.ts'
export * from './arbitration.ts'
export * from './dispute.ts'
export * from './evidence.ts'
