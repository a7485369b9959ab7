/**
 * The matching core's public surface: participants and ids, taxonomy,
 * summaries and their canonical bytes, instances, enumeration and clearing.
 */
export * from './limits.ts'
export * from './errors.ts'
export * from '../identity/participant-id.ts'
export * from './taxonomy.ts'
export * from './default-taxonomy.ts'
export * from './participant.ts'
export * from './summary.ts'
export * from './summary-codec.ts'
export * from './instance.ts'
export * from './chain.ts'
export * from './enumeration.ts'
export * from './clearing.ts'
export * from './report.ts'
