/**
 * The multi-process and multi-thread modes: K workers (sim/worker.ts), each
 * running the nodes whose index ≡ k (mod K), behind the same `Cluster`
 * interface the in-process mode offers. Workers are child processes whose
 * nodes talk TCP loopback (`--workers K`), or worker threads of this process
 * whose nodes talk over the cross-thread memory transport
 * (sim/thread-transport.ts, `--threads K`: a MessageChannel between each
 * pair of threads). Only coordination (start, publish, sample, …) goes over
 * the IPC channel or the thread's parent port.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { MessageChannel, Worker as Thread, type MessagePort } from 'node:worker_threads'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Scenario } from './scenario.ts'
import type { Cluster, ClusterSample, PublishResult } from './cluster.ts'
import type { WorkerProcessSettings, WorkerReply, WorkerRequest, WorkerThreadInit } from './worker-protocol.ts'
import type { DataClass } from '../src/wire/envelope.ts'

/** V8 heap limit of a worker (process or thread: its old generation): hundreds of nodes need more than the default. */
const WORKER_HEAP_MB = 8192

/** How the workers run: child processes (TCP loopback) or worker threads (the cross-thread transport). */
export type WorkerKind = 'process' | 'thread'

type Pending = { resolve: (value: unknown) => void, reject: (err: Error) => void }

/** A `WorkerRequest` without its id (the distributive Omit keeps the union). */
type Request = WorkerRequest extends infer R ? R extends WorkerRequest ? Omit<R, 'id'> : never : never

/** One worker, a child process or a worker thread, running sim/worker.ts. */
class Worker {
  private readonly child: ChildProcess | undefined
  private readonly thread: Thread | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  readonly ready: Promise<void>
  private exited: Error | undefined
  private readonly gone: Promise<void>

  constructor (index: number, kind: WorkerKind) {
    const file = fileURLToPath(new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url))
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(-1, { resolve: () => { resolve() }, reject })
    })
    const onMessage = (message: WorkerReply): void => {
      const pending = this.pending.get(message.id)
      if (pending === undefined) return
      this.pending.delete(message.id)
      if (message.ok) pending.resolve(message.value)
      else pending.reject(new Error(`worker ${index}: ${message.error}`))
    }
    const onExit = (how: string): void => {
      this.exited = new Error(`worker ${index} exited (${how})`)
      for (const pending of this.pending.values()) pending.reject(this.exited)
      this.pending.clear()
    }
    if (kind === 'process') {
      const child = fork(file, [], {
        execArgv: [...process.execArgv.filter((arg) => !arg.startsWith('--max-old-space-size')), `--max-old-space-size=${WORKER_HEAP_MB}`],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc']
      })
      child.on('message', onMessage)
      this.gone = new Promise((resolve) => {
        child.on('exit', (code, signal) => { onExit(`code ${code}, signal ${signal}`); resolve() })
      })
      this.child = child
    } else {
      // execArgv (--experimental-transform-types, the lean V8 flags) is inherited; the old generation gets the
      // workers' limit; the young generation is left to the inherited flags (--max-semi-space-size)
      const thread = new Thread(file, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } })
      thread.on('message', onMessage)
      thread.on('error', (err) => { onExit(`error ${err.name}: ${err.message}`) })
      this.gone = new Promise((resolve) => {
        thread.on('exit', (code) => { if (this.exited === undefined) onExit(`code ${code}`); resolve() })
      })
      this.thread = thread
    }
  }

  async request<T> (request: Request, transfer: MessagePort[] = []): Promise<T> {
    if (this.exited !== undefined) throw this.exited
    const id = this.nextId++
    return await new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      if (this.child !== undefined) this.child.send({ ...request, id })
      else this.thread?.postMessage({ ...request, id }, transfer)
    })
  }

  async close (): Promise<void> {
    if (this.exited === undefined) {
      await this.request({ op: 'close' }).catch(() => {})
      // a process ends when its IPC channel goes; a thread's nodes are closed, its libraries' timers ended with it
      if (this.child !== undefined) this.child.disconnect()
      else await this.thread?.terminate()
      await this.gone
    }
  }

  kill (): void {
    if (this.exited !== undefined) return
    if (this.child !== undefined) this.child.kill('SIGKILL')
    else void this.thread?.terminate()
  }
}

/** Nodes spread over worker processes or threads. */
export class WorkerCluster implements Cluster {
  private readonly workers: Worker[]
  readonly kind: WorkerKind
  /** each worker's settings, as its init answered */
  readonly settings: WorkerProcessSettings[]
  /** the workers' verification caches (lean profile), summed at the last sample */
  private cache: { hits: number, misses: number } | undefined

  private constructor (workers: Worker[], kind: WorkerKind, settings: WorkerProcessSettings[]) {
    this.workers = workers
    this.kind = kind
    this.settings = settings
  }

  /** Starts the workers (processes by default) and hands each its share of the nodes; threads also get a port to each other thread. */
  static async open (init: { scenario: Scenario, workers: number, kind?: WorkerKind }): Promise<WorkerCluster> {
    const kind = init.kind ?? 'process'
    const workers = Array.from({ length: init.workers }, (_, k) => new Worker(k, kind))
    const threads = kind === 'thread' ? threadPorts(init.workers) : undefined
    try {
      const settings = await Promise.all(workers.map(async (worker, k) => {
        await worker.ready
        const local = Array.from({ length: init.scenario.nodes }, (_, i) => i).filter((i) => i % init.workers === k)
        if (threads === undefined) return await worker.request<WorkerProcessSettings>({ op: 'init', scenario: init.scenario, local })
        const thread: WorkerThreadInit = { index: k, count: init.workers, ports: threads[k] }
        return await worker.request<WorkerProcessSettings>({ op: 'init', scenario: init.scenario, local, thread }, threads[k].map(([, port]) => port))
      }))
      return new WorkerCluster(workers, kind, settings)
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
    const caches = samples.map((s) => s.verificationCache).filter((c) => c !== undefined)
    if (caches.length > 0) this.cache = { hits: caches.reduce((sum, c) => sum + c.hits, 0), misses: caches.reduce((sum, c) => sum + c.misses, 0) }
    for (const sample of samples) {
      for (const [key, count] of Object.entries(sample.verdicts)) verdicts[key] = (verdicts[key] ?? 0) + count
    }
    return {
      // threads share this process: its RSS once (each thread's sample is the same whole-process figure)
      rssBytes: this.kind === 'thread' ? process.memoryUsage.rss() : samples.reduce((sum, s) => sum + s.rssBytes, 0),
      nodes: samples.flatMap((s) => s.nodes).sort((a, b) => a.index - b.index),
      deliveries: samples.flatMap((s) => s.deliveries),
      verdicts
    }
  }

  /** The lean profile's verification cache counts over every worker, as of the last sample (undefined: production profile). */
  verificationCache (): { hits: number, misses: number } | undefined {
    return this.cache
  }

  async close (): Promise<void> {
    await Promise.all(this.workers.map(async (worker) => { await worker.close() }))
  }
}

/** A MessageChannel between each pair of K threads: thread k's ports, by the other thread's index. */
function threadPorts (count: number): Array<Array<[number, MessagePort]>> {
  const ports: Array<Array<[number, MessagePort]>> = Array.from({ length: count }, () => [])
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      const channel = new MessageChannel()
      ports[a].push([b, channel.port1])
      ports[b].push([a, channel.port2])
    }
  }
  return ports
}
