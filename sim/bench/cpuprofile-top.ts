/**
 * Summarise a V8 .cpuprofile (e.g. the sim's idle window, SIM_IDLE_CPUPROF):
 * self time by package / source file, by function, and inclusive time of
 * fedmesh's own functions (src/…), so idle CPU can be attributed.
 *   node --experimental-transform-types sim/bench/cpuprofile-top.ts <file> [--top N]
 */
import { readFile } from 'node:fs/promises'
import { frameKey, isFedmeshFrame, owner, type CallFrame } from './profile-frames.ts'

interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

const args = process.argv.slice(2)
const file = args[0]
const topIndex = args.indexOf('--top')
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 30
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const selfUs = new Map<number, number>()
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + dt)
}
let total = 0
let idle = 0
const byOwner = new Map<string, number>()
const byFn = new Map<string, number>()
const inclusiveSrc = new Map<string, number>()
/** each sample's self time charged to the nearest fedmesh frame on its stack (else the sampled frame's package) */
const nearestSrc = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)!
  const fn = node.callFrame.functionName
  if (fn === '(idle)' || fn === '(program)') { idle += us; continue }
  total += us
  const o = fn === '(garbage collector)' ? '(gc)' : owner(node.callFrame.url)
  byOwner.set(o, (byOwner.get(o) ?? 0) + us)
  const key = frameKey(node.callFrame)
  byFn.set(key, (byFn.get(key) ?? 0) + us)
  let nearest: string | undefined
  for (let at: number | undefined = id; at !== undefined && nearest === undefined; at = parent.get(at)) {
    const f = byId.get(at)!.callFrame
    if (isFedmeshFrame(f)) nearest = frameKey(f)
  }
  nearest ??= `[no fedmesh frame] ${o}`
  nearestSrc.set(nearest, (nearestSrc.get(nearest) ?? 0) + us)
  // inclusive time of every fedmesh frame on the stack (counted once per frame key per sample)
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)!.callFrame
    if (isFedmeshFrame(f)) {
      const k = frameKey(f)
      if (!seen.has(k)) { seen.add(k); inclusiveSrc.set(k, (inclusiveSrc.get(k) ?? 0) + us) }
    }
  }
}
const wall = (profile.endTime - profile.startTime) / 1e6
const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title}`)
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${(100 * us / total).toFixed(1).padStart(5)} %  ${k}`)
  }
}
console.log(`${file}: ${wall.toFixed(1)} s profiled, ${(total / 1000).toFixed(0)} ms busy on the main thread (${(idle / 1000).toFixed(0)} ms idle/program)`)
print('self time by package / file', byOwner)
print('self time by function', byFn)
print('inclusive time of fedmesh frames (src/, sim/)', inclusiveSrc)
print('self time charged to the nearest fedmesh frame on the stack', nearestSrc)
