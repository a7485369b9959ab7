/**
 * Counts of cosignatures handed over directly (/fedmesh/audit-cosign/1.0.0):
 * `sent` by this node as a witness (kept by the origin, refused with a reason,
 * dropped: the one attempt failed, or unreachable: no connection to the origin
 * and no address for it, so no attempt) and `received` as an origin (kept, or
 * refused with a reason). In the node's Prometheus registry when it has one
 * (`fedmesh_audit_cosignatures_total{side,result}`; both labels from fixed
 * sets) and always in `cosignatureStats()`.
 */
import { Counter, type Registry } from 'prom-client'

export type CosignatureSide = 'sent' | 'received'

/** Per side, per result (`kept`, a refusal reason, `dropped`, `unreachable`, `error`). */
export type CosignatureStats = Record<CosignatureSide, Record<string, number>>

export function cosignatureCounters (registry: Registry | undefined): { count: (side: CosignatureSide, result: string) => void, stats: () => CosignatureStats } {
  const stats: CosignatureStats = { sent: {}, received: {} }
  const counter = registry === undefined
    ? undefined
    : new Counter({
      name: 'fedmesh_audit_cosignatures_total',
      help: 'Cosignatures handed over directly: sent by this witness (kept by the origin, refused with a reason, dropped after its one attempt, or unreachable: no connection and no address, not dialled) and received as an origin (kept, or refused with a reason)',
      labelNames: ['side', 'result'],
      registers: [registry]
    })
  return {
    count: (side, result) => {
      stats[side][result] = (stats[side][result] ?? 0) + 1
      counter?.inc({ side, result })
    },
    stats: () => ({ sent: { ...stats.sent }, received: { ...stats.received } })
  }
}
