/**
 * A worker process of the multi-process mode: runs its share of the nodes
 * (a `LocalCluster` over TCP loopback) and answers the coordinator's requests
 * one IPC message at a time. Exits when the coordinator closes it or goes away.
 */
import { LocalCluster } from './cluster.ts'
import { makePlan } from './plan.ts'
import { leanSettings } from './profile.ts'
import type { WorkerProcessSettings, WorkerReply, WorkerRequest } from './worker-protocol.ts'

let cluster: LocalCluster | undefined

function reply (message: WorkerReply): void {
  process.send?.(message)
}

async function handle (request: WorkerRequest): Promise<unknown> {
  if (request.op === 'init') {
    cluster = await LocalCluster.create({ scenario: request.scenario, plan: makePlan(request.scenario), local: request.local, transport: 'tcp' })
    // the in-process mode runs its play withoutStackTraces; this process lives for the run only, so the whole of it
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
      // the coordinator disconnects after this reply, which ends the process
      return await cluster.close()
  }
}

process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (value) => { reply({ id: request.id, ok: true, value: value ?? null }) },
    (err: Error) => { reply({ id: request.id, ok: false, error: `${err.name}: ${err.message}` }) }
  )
})
// the coordinator died: nothing left to report to
process.on('disconnect', () => { process.exit(0) })
reply({ id: -1, ok: true, value: 'ready' })
