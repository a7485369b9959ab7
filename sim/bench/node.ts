/**
 * bench:node — start-to-ready time and idle RSS of one `fedmesh start`
 * process (median of 5), next to a bare Node.js process measured in the same
 * run as the baseline (the runtime's own floor). Goals: ≤ 1 s, ≤ 80 MB.
 * Prints figures; never fails on them.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'

const RUNS = 5
const IDLE_MS = 2000
const BIN = fileURLToPath(new URL('../../bin/fedmesh.js', import.meta.url))

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function rssMegabytes (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

/** Spawns a process, waits until `isReady(line)` on stdout, idles, samples RSS, kills it. */
async function measure (args: string[], isReady: (line: string) => boolean): Promise<{ readyMs: number, rssMb: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const readyMs = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => { if (isReady(line)) resolve(performance.now() - started) })
    child.once('exit', (code) => { reject(new Error(`exited with ${code} before ready`)) })
  })
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
  const rssMb = await rssMegabytes(child.pid!)
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
  return { readyMs, rssMb }
}

/** The libp2p stack a node assembles, imported and nothing else: the floor any libp2p 2.x node pays. */
const LIBP2P_STACK = ['libp2p', '@chainsafe/libp2p-gossipsub', '@libp2p/kad-dht', '@libp2p/tcp', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux', '@libp2p/identify', '@libp2p/ping']
const importStack = `for (const m of ${JSON.stringify(LIBP2P_STACK)}) await import(m); console.log("ready"); setInterval(() => {}, 1000)`

const baseline: Array<{ readyMs: number, rssMb: number }> = []
const stack: Array<{ readyMs: number, rssMb: number }> = []
const fedmesh: Array<{ readyMs: number, rssMb: number }> = []
for (let run = 0; run < RUNS; run++) {
  baseline.push(await measure(['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], (line) => line === 'ready'))
  stack.push(await measure(['--input-type=module', '-e', importStack], (line) => line === 'ready'))
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-bench-'))
  execFileSync(process.execPath, [BIN, 'init', '--site-id', 'bench', '--jurisdiction', 'XX', '--data-dir', dataDir, '--api-port', String(20000 + run)])
  fedmesh.push(await measure([BIN, 'start', '--data-dir', dataDir], (line) => line.includes('"msg":"ready"')))
  await rm(dataDir, { recursive: true, force: true })
}

const row = (name: string, ms: number, mb: number): string => `${name.padEnd(28)} ${ms.toFixed(0).padStart(8)} ms ${mb.toFixed(1).padStart(8)} MB`
const fedmeshMs = median(fedmesh.map((r) => r.readyMs))
const fedmeshMb = median(fedmesh.map((r) => r.rssMb))
const baseMs = median(baseline.map((r) => r.readyMs))
const baseMb = median(baseline.map((r) => r.rssMb))
console.log(`bench:node — median of ${RUNS} runs, RSS after ${IDLE_MS} ms idle (air-gapped node, LevelDB store)`)
console.log(row('bare node process (baseline)', baseMs, baseMb))
console.log(row('libp2p stack imported only', median(stack.map((r) => r.readyMs)), median(stack.map((r) => r.rssMb))))
console.log(row('fedmesh start → ready', fedmeshMs, fedmeshMb))
console.log(`ratio to baseline: ${(fedmeshMs / baseMs).toFixed(1)}× time, ${(fedmeshMb / baseMb).toFixed(1)}× memory`)
console.log(`goals: ready ≤ 1000 ms (${fedmeshMs <= 1000 ? 'met' : 'NOT met'}), idle RSS ≤ 80 MB (${fedmeshMb <= 80 ? 'met' : 'NOT met'})`)
