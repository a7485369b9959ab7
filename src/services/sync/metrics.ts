/**
 * Sync's Prometheus metrics (prom-client, in the node's registry). Labels
 * come from small fixed sets (data class, result, proof, gap state); the
 * per-origin frontier is in `fedmesh sync status`, not in a label, so the
 * series count does not grow with the membership.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { SyncStatus } from './status.ts'

export interface SyncMetrics {
  envelopes: Counter<'result'>
  bytes: Counter
  proofs: Counter<'proof'>
  rounds: Counter<'result'>
  equivocations: Counter<'source'>
}

/** Registers the metrics; the gauges read `status()` when scraped. */
export function syncMetrics (registry: Registry, status: () => SyncStatus): SyncMetrics {
  new Gauge({
    name: 'fedmesh_sync_frontier_entries',
    help: 'Sum over origins of the contiguous log frontier (every seq at or below it is held), by data class',
    labelNames: ['data_class'],
    registers: [registry],
    collect () {
      this.reset()
      for (const log of status().logs) this.inc({ data_class: log.data_class }, log.frontier)
    }
  })
  new Gauge({
    name: 'fedmesh_sync_logs',
    help: 'Origin logs known (ours and the ones peers advertised), by data class',
    labelNames: ['data_class'],
    registers: [registry],
    collect () {
      this.reset()
      for (const log of status().logs) this.inc({ data_class: log.data_class })
    }
  })
  new Gauge({
    name: 'fedmesh_sync_gaps',
    help: 'Known gaps above the frontiers, by data class and state (fillable: some peer stores it; unfillable: retention passed everywhere that advertised the log)',
    labelNames: ['data_class', 'state'],
    registers: [registry],
    collect () {
      this.reset()
      for (const log of status().logs) {
        for (const gap of log.gaps) this.inc({ data_class: log.data_class, state: gap.unfillable ? 'unfillable' : 'fillable' })
      }
    }
  })
  new Gauge({
    name: 'fedmesh_sync_gap_entries',
    help: 'Log entries known to exist and not held (the sum of the gaps\' lengths), by data class',
    labelNames: ['data_class'],
    registers: [registry],
    collect () {
      this.reset()
      for (const log of status().logs) this.inc({ data_class: log.data_class }, log.gaps.reduce((sum, gap) => sum + gap.to - gap.from + 1, 0))
    }
  })
  return {
    envelopes: new Counter({ name: 'fedmesh_sync_envelopes_total', help: 'Envelopes fetched by sync, by the channel\'s verdict', labelNames: ['result'], registers: [registry] }),
    bytes: new Counter({ name: 'fedmesh_sync_bytes_total', help: 'Envelope bytes fetched by sync', registers: [registry] }),
    proofs: new Counter({ name: 'fedmesh_sync_proofs_total', help: 'How fetched entries were authenticated before receive: own signature or hash link', labelNames: ['proof'], registers: [registry] }),
    rounds: new Counter({ name: 'fedmesh_sync_rounds_total', help: 'Sync rounds by outcome', labelNames: ['result'], registers: [registry] }),
    equivocations: new Counter({ name: 'fedmesh_sync_equivocations_total', help: 'Origin log equivocation evidence newly recorded, by where it was found (local: a conflicting envelope arrived; peer: evidence received by sync; gossip: on the evidence topic)', labelNames: ['source'], registers: [registry] })
  }
}
