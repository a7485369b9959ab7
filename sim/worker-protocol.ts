/**
 * Messages between the coordinator and a worker: a process (Node's IPC channel
 * with 'advanced' serialization, so typed arrays and nested objects pass as is)
 * or a worker thread (postMessage: structured clone, ports transferred).
 */
import type { MessagePort } from 'node:worker_threads'
import type { Scenario } from './scenario.ts'
import type { DataClass } from '../src/wire/envelope.ts'

export type WorkerRequest =
  | { id: number, op: 'init', scenario: Scenario, local: number[], thread?: WorkerThreadInit }
  | { id: number, op: 'start', index: number, bootstrap: string[] }
  | { id: number, op: 'stop', index: number }
  | { id: number, op: 'dial', index: number, address: string }
  | { id: number, op: 'publish', event: { message: number, node: number, dataClass: DataClass } }
  | { id: number, op: 'partition', groupOf: number[] | null }
  | { id: number, op: 'sample' }
  | { id: number, op: 'close' }

/** A worker thread's place (`--threads K`): its index, and a port to each other thread (transferred with the init message). */
export interface WorkerThreadInit {
  index: number
  count: number
  ports: Array<[number, MessagePort]>
}

/** What a worker's `init` answers: the process settings its nodes run under, for the coordinator to check. */
export interface WorkerProcessSettings {
  /** Error.stackTraceLimit while the worker's nodes run (0: the lean profile's errors without stack traces) */
  stackTraceLimit: number
}

export type WorkerReply =
  | { id: number, ok: true, value: unknown }
  | { id: number, ok: false, error: string }
