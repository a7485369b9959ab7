export * from './errors.ts'
export * from './case.ts'
export * from './flow.ts'
