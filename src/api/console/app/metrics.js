// Reads the node's Prometheus text (GET /metrics) and turns the gossip message
// counters into rates for the Overview chart. Pure: no DOM, no clock (times are
// passed in), so the same module runs in the browser and in the tests.

/** Samples kept for the chart: two minutes at the default poll interval. */
export const RATE_SAMPLES_MAX = 60

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Parses Prometheus text exposition into { name, labels, value } samples (comments skipped). */
export function parsePrometheus (text) {
  const samples = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = SAMPLE_LINE.exec(line)
    if (match === null) continue
    const labels = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c))
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

/** Gossip messages so far, in and out, summed over data class, result and reason. */
export function gossipTotals (samples) {
  const totals = { in: 0, out: 0 }
  for (const sample of samples) {
    if (sample.name !== 'fedmesh_gossip_messages_total') continue
    if (sample.labels.direction === 'in' || sample.labels.direction === 'out') totals[sample.labels.direction] += sample.value
  }
  return totals
}

/**
 * Adds a reading ({ at ms, in, out } totals) to the series and returns the new
 * series: per-second rates between consecutive readings, at most RATE_SAMPLES_MAX.
 * A counter that went down (the node restarted) starts the series again.
 */
export function addReading (series, reading) {
  const last = series.last
  const next = { last: reading, points: series.points }
  if (last === undefined) return next
  const seconds = (reading.at - last.at) / 1000
  if (seconds <= 0) return { ...series }
  if (reading.in < last.in || reading.out < last.out) return { last: reading, points: [] }
  const point = { at: reading.at, in: (reading.in - last.in) / seconds, out: (reading.out - last.out) / seconds }
  next.points = [...series.points, point].slice(-RATE_SAMPLES_MAX)
  return next
}

/** An empty series. */
export function emptySeries () {
  return { last: undefined, points: [] }
}
