/**
 * Summarise a V8 sampling heap profile (e.g. the sim's idle window, SIM_IDLE_HEAPPROF): the sampled live
 * bytes by allocating package / file, by allocating function, charged to the nearest fedmesh frame on the
 * allocation stack, and the heaviest allocation stacks, so heap growth can be attributed.
 *   node --experimental-transform-types sim/bench/heapprofile-top.ts <file> [--top N] [--depth D]
 */
import { readFile } from 'node:fs/promises'
import { frameKey, isFedmeshFrame, owner, type CallFrame } from './profile-frames.ts'

interface HeapNode { id: number, callFrame: CallFrame, selfSize: number, children: HeapNode[] }
interface HeapProfile { head: HeapNode }

const args = process.argv.slice(2)
const file = args[0]
if (file === undefined) throw new Error('usage: heapprofile-top.ts <file.heapprofile> [--top N] [--depth D]')
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name)
  return at >= 0 ? Number(args[at + 1]) : fallback
}
const top = option('--top', 25)
const depth = option('--depth', 8)
const profile = JSON.parse(await readFile(file, 'utf8')) as HeapProfile

let total = 0
const byOwner = new Map<string, number>()
const byFn = new Map<string, number>()
const nearestSrc = new Map<string, number>()
const byStack = new Map<string, number>()
const add = (m: Map<string, number>, k: string, bytes: number): void => { m.set(k, (m.get(k) ?? 0) + bytes) }

/** depth-first, carrying the stack from the root (iterative: stacks run deep) */
const pending: Array<{ node: HeapNode, stack: CallFrame[] }> = [{ node: profile.head, stack: [] }]
while (pending.length > 0) {
  const { node, stack: above } = pending.pop()!
  const stack = node.callFrame.functionName === '(root)' ? above : [...above, node.callFrame]
  if (node.selfSize > 0) {
    total += node.selfSize
    add(byOwner, owner(node.callFrame.url), node.selfSize)
    add(byFn, frameKey(node.callFrame), node.selfSize)
    const nearest = [...stack].reverse().find(isFedmeshFrame)
    add(nearestSrc, nearest === undefined ? `[no fedmesh frame] ${owner(node.callFrame.url)}` : frameKey(nearest), node.selfSize)
    add(byStack, stack.slice(-depth).reverse().map(frameKey).join('\n      ← '), node.selfSize)
  }
  for (const child of node.children) pending.push({ node: child, stack })
}

const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title}`)
  for (const [k, bytes] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(bytes / 2 ** 20).toFixed(1).padStart(8)} MiB ${(100 * bytes / total).toFixed(1).padStart(5)} %  ${k}`)
  }
}
console.log(`${file}: ${(total / 2 ** 20).toFixed(1)} MiB sampled live`)
print('live bytes by allocating package / file', byOwner)
print('live bytes by allocating function', byFn)
print('live bytes charged to the nearest fedmesh frame on the allocation stack', nearestSrc)
print(`heaviest allocation stacks (innermost ${depth} frames)`, byStack)
