/**
 * The multi-process mode: K worker processes (sim/worker.ts), each running
 * the nodes whose index ≡ k (mod K) over TCP loopback, behind the same
 * `Cluster` interface the in-process mode offers. Node-to-node traffic goes
 * over real sockets between and within the workers; only coordination
 * (start, publish, sample, …) goes over the IPC channel.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Scenario } from './scenario.ts'
import type { Cluster, ClusterSample, PublishResult } from './cluster.ts'
import type { WorkerProcessSettings, WorkerReply, WorkerRequest } from './worker-protocol.ts'
import type { DataClass } from '../src/wire/envelope.ts'

/** V8 heap limit of a worker: hundreds of nodes need more than the default. */
const WORKER_HEAP_MB = 8192

type Pending = { resolve: (value: unknown) => void, reject: (err: Error) => void }

/** A `WorkerRequest` without its id (the distributive Omit keeps the union). */
type Request = WorkerRequest extends infer R ? R extends WorkerRequest ? Omit<R, 'id'> : never : never

class Worker {
  private readonly child: ChildProcess
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  readonly ready: Promise<void>
  private exited: Error | undefined

  constructor (index: number) {
    const file = fileURLToPath(new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url))
    this.child = fork(file, [], {
      execArgv: [...process.execArgv.filter((arg) => !arg.startsWith('--max-old-space-size')), `--max-old-space-size=${WORKER_HEAP_MB}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(-1, { resolve: () => { resolve() }, reject })
    })
    this.child.on('message', (message: WorkerReply) => {
      const pending = this.pending.get(message.id)
      if (pending === undefined) return
      this.pending.delete(message.id)
      if (message.ok) pending.resolve(message.value)
      else pending.reject(new Error(`worker ${index}: ${message.error}`))
    })
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`worker ${index} exited (code ${code}, signal ${signal})`)
      for (const pending of this.pending.values()) pending.reject(this.exited)
      this.pending.clear()
    })
  }

  async request<T> (request: Request): Promise<T> {
    if (this.exited !== undefined) throw this.exited
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.child.send({ ...request, id })
    })
  }

  async close (): Promise<void> {
    if (this.exited === undefined) {
      const gone = new Promise((resolve) => this.child.once('exit', resolve))
      await this.request({ op: 'close' }).catch(() => {})
      this.child.disconnect()
      await gone
    }
  }

  kill (): void {
    if (this.exited === undefined) this.child.kill('SIGKILL')
  }
}

/** Nodes spread over worker processes. */
export class WorkerCluster implements Cluster {
  private readonly workers: Worker[]
  /** each worker's process settings, as its init answered */
  readonly settings: WorkerProcessSettings[]

  private constructor (workers: Worker[], settings: WorkerProcessSettings[]) {
    this.workers = workers
    this.settings = settings
  }

  /** Forks the workers and hands each its share of the nodes. */
  static async open (init: { scenario: Scenario, workers: number }): Promise<WorkerCluster> {
    const workers = Array.from({ length: init.workers }, (_, k) => new Worker(k))
    try {
      const settings = await Promise.all(workers.map(async (worker, k) => {
        await worker.ready
        const local = Array.from({ length: init.scenario.nodes }, (_, i) => i).filter((i) => i % init.workers === k)
        return await worker.request<WorkerProcessSettings>({ op: 'init', scenario: init.scenario, local })
      }))
      return new WorkerCluster(workers, settings)
    } catch (err) {
      for (const worker of workers) worker.kill()
      throw err
    }
  }

  private owner (index: number): Worker {
    return this.workers[index % this.workers.length]
  }

  async start (index: number, bootstrap: string[]): Promise<string[]> {
    return await this.owner(index).request<string[]>({ op: 'start', index, bootstrap })
  }

  async stop (index: number): Promise<void> {
    await this.owner(index).request({ op: 'stop', index })
  }

  async dial (index: number, address: string): Promise<boolean> {
    return await this.owner(index).request<boolean>({ op: 'dial', index, address })
  }

  async publish (event: { message: number, node: number, dataClass: DataClass }): Promise<PublishResult> {
    return await this.owner(event.node).request<PublishResult>({ op: 'publish', event })
  }

  async partition (groupOf: number[] | null): Promise<void> {
    await Promise.all(this.workers.map(async (worker) => { await worker.request({ op: 'partition', groupOf }) }))
  }

  async sample (): Promise<ClusterSample> {
    const samples = await Promise.all(this.workers.map(async (worker) => await worker.request<ClusterSample>({ op: 'sample' })))
    const verdicts: Record<string, number> = {}
    for (const sample of samples) {
      for (const [key, count] of Object.entries(sample.verdicts)) verdicts[key] = (verdicts[key] ?? 0) + count
    }
    return {
      rssBytes: samples.reduce((sum, s) => sum + s.rssBytes, 0),
      nodes: samples.flatMap((s) => s.nodes).sort((a, b) => a.index - b.index),
      deliveries: samples.flatMap((s) => s.deliveries),
      verdicts
    }
  }

  async close (): Promise<void> {
    await Promise.all(this.workers.map(async (worker) => { await worker.close() }))
  }
}
