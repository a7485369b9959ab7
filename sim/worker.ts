/**
 * A worker of the multi-process (`--workers K`) or multi-thread (`--threads K`) mode: runs its share
 * of the nodes (a `LocalCluster`, over TCP loopback in a process, over the cross-thread transport in a
 * thread: sim/thread-transport.ts) and answers the coordinator's requests one message at a time. A
 * process exits when the coordinator closes it or goes away; a thread is terminated after its close.
 */
import { parentPort } from 'node:worker_threads'
import { LocalCluster, simAddressOwner } from './cluster.ts'
import { makePlan } from './plan.ts'
import { leanSettings } from './profile.ts'
import { ThreadNetwork } from './thread-transport.ts'
import type { WorkerProcessSettings, WorkerReply, WorkerRequest } from './worker-protocol.ts'

let cluster: LocalCluster | undefined
let network: ThreadNetwork | undefined

/** The channel to the coordinator: the thread's parent port, or the process's IPC channel. */
const port = parentPort
function reply (message: WorkerReply): void {
  if (port !== null) port.postMessage(message)
  else process.send?.(message)
}

async function handle (request: WorkerRequest): Promise<unknown> {
  if (request.op === 'init') {
    const plan = makePlan(request.scenario)
    if (request.thread === undefined) {
      cluster = await LocalCluster.create({ scenario: request.scenario, plan, local: request.local, transport: 'tcp' })
    } else {
      network = new ThreadNetwork({ thread: request.thread.index, ports: new Map(request.thread.ports), ownerOf: simAddressOwner(request.thread.count) })
      cluster = await LocalCluster.create({ scenario: request.scenario, plan, local: request.local, transport: 'thread', threadNetwork: network })
    }
    // the in-process mode runs its play withoutStackTraces; this worker lives for the run only, so the whole of it
    if (leanSettings(request.scenario)?.stackTraces === false) Error.stackTraceLimit = 0
    const settings: WorkerProcessSettings = { stackTraceLimit: Error.stackTraceLimit }
    return settings
  }
  if (cluster === undefined) throw new Error(`worker got ${request.op} before init`)
  switch (request.op) {
    case 'start': return await cluster.start(request.index, request.bootstrap)
    case 'stop': return await cluster.stop(request.index)
    case 'dial': return await cluster.dial(request.index, request.address)
    case 'publish': return await cluster.publish(request.event)
    case 'partition': return await cluster.partition(request.groupOf)
    case 'sample': return await cluster.sample()
    case 'close':
      // a process: the coordinator disconnects after this reply, which ends it; a thread: it is terminated
      await cluster.close()
      network?.close()
      return null
  }
}

function onRequest (request: WorkerRequest): void {
  handle(request).then(
    (value) => { reply({ id: request.id, ok: true, value: value ?? null }) },
    (err: Error) => { reply({ id: request.id, ok: false, error: `${err.name}: ${err.message}` }) }
  )
}

if (port !== null) {
  port.on('message', onRequest)
} else {
  process.on('message', onRequest)
  // the coordinator died: nothing left to report to
  process.on('disconnect', () => { process.exit(0) })
}
reply({ id: -1, ok: true, value: 'ready' })
