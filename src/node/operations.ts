/**
 * Operations: the operator actions that read or change a node's store
 * (`participant add`, `match`, `consensus history`, …).
 *
 * One definition serves two paths: the CLI runs an operation directly on the
 * store when no node is running, and through the running node's local API
 * (`POST /ops/<name>`) when the node holds the store's lock. Either way the
 * same `run` executes against the same store, so both paths behave alike.
 */
import type { Store } from '../store/store.ts'
import type { Config } from '../config/schema.ts'
import type { FedmeshNode } from './node.ts'
import { InputError } from '../core/errors.ts'

/** What an operation may use. `now` is injected so operations stay testable. */
export interface OperationContext {
  store: Store
  config: Config
  dataDir: string | undefined
  now: () => number
  /** the running node, when the operation runs inside it (through the API); absent from the CLI's direct path */
  node?: FedmeshNode
}

/** An operator action; `args` and the result are plain JSON. */
export interface Operation<A = unknown, R = unknown> {
  /** stable name, also the API route: `POST /ops/<name>` */
  readonly name: string
  run: (context: OperationContext, args: A) => Promise<R>
}

/** The operation needs the running node (it sends to the federation): start it first. */
export class NodeNotRunningError extends InputError {
  static override readonly code = 'NodeNotRunningError'
  override readonly name = 'NodeNotRunningError'
}

/** The running node, or NodeNotRunningError naming the operation. */
export function requireNode (context: OperationContext, operation: string): FedmeshNode {
  if (context.node === undefined) throw new NodeNotRunningError(`${operation} sends to the federation: start the node ("fedmesh start") and run it again`)
  return context.node
}

/** The operation's arguments were invalid (HTTP 400, CLI exit 2). */
export class OperationArgumentError extends InputError {
  static override readonly code = 'OperationArgumentError'
  override readonly name = 'OperationArgumentError'
}

export class UnknownOperationError extends InputError {
  static override readonly code = 'UnknownOperationError'
  override readonly name = 'UnknownOperationError'
}

/** A set of operations by name; the API and the CLI share one. */
export class OperationRegistry {
  private readonly operations = new Map<string, Operation<never, unknown>>()

  /** Adds an operation; names are unique. */
  register<A, R> (operation: Operation<A, R>): Operation<A, R> {
    if (this.operations.has(operation.name)) throw new Error(`operation ${operation.name} registered twice`)
    this.operations.set(operation.name, operation as Operation<never, unknown>)
    return operation
  }

  get (name: string): Operation<unknown, unknown> {
    const operation = this.operations.get(name)
    if (operation === undefined) throw new UnknownOperationError(`no operation named "${name}"`)
    return operation as Operation<unknown, unknown>
  }

  names (): string[] {
    return [...this.operations.keys()].sort()
  }
}

/** Every operation the node offers; feature modules register theirs in `src/node/operation-list.ts`. */
export const operations = new OperationRegistry()
