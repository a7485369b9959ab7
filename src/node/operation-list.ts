/**
 * Registers every feature's operations in the shared registry. Imported once
 * by the CLI and the node so both see the same set.
 */
import { operations } from './operations.ts'

// Feature modules add one line each: operations.register(x) for each operation they export.
void operations

export { operations }
