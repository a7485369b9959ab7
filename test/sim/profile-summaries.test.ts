/**
 * The profile summarisers (sim/bench/cpuprofile-top.ts, heapprofile-top.ts) name who owns each frame, and the
 * heap summary charges live bytes to the allocating package and to the nearest fedmesh frame on the stack.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { frameKey, isFedmeshFrame, owner } from '../../sim/bench/profile-frames.ts'

test('a frame is owned by its npm package (scoped or not), its fedmesh file, or node', (t) => {
  t.is(owner('file:///x/node_modules/@libp2p/peer-store/dist/src/index.js'), '@libp2p/peer-store')
  t.is(owner('file:///x/node_modules/it-pushable/dist/src/index.js'), 'it-pushable')
  t.is(owner('file:///work/main/src/net/host.ts'), 'src/net/host.ts')
  t.is(owner('file:///work/main/sim/run.ts'), 'sim/run.ts')
  t.is(owner('node:internal/timers'), 'node:internal')
  t.is(owner(''), '(native/gc/idle)')
  t.is(frameKey({ functionName: '', url: 'file:///work/main/src/a.ts', lineNumber: 9 }), '(anonymous) src/a.ts:10')
  t.true(isFedmeshFrame({ functionName: 'f', url: 'file:///work/main/src/a.ts', lineNumber: 0 }))
  t.false(isFedmeshFrame({ functionName: 'f', url: 'file:///x/node_modules/libp2p/dist/src/libp2p.js', lineNumber: 0 }))
})

test('heapprofile-top charges each allocation to its package and to the nearest fedmesh frame above it', async (t) => {
  const frame = (functionName: string, url: string, lineNumber = 0): { functionName: string, url: string, lineNumber: number } => ({ functionName, url, lineNumber })
  const MiB = 1024 * 1024
  // root → sync round (fedmesh) → pushable (library, 3 MiB live); root → timers (node) → yamux (library, 1 MiB, no fedmesh frame)
  const profile = {
    head: {
      id: 1, callFrame: frame('(root)', ''), selfSize: 0,
      children: [
        { id: 2, callFrame: frame('round', 'file:///work/main/src/services/sync/sync.ts', 218), selfSize: 0, children: [
          { id: 3, callFrame: frame('pushable', 'file:///x/node_modules/it-pushable/dist/src/index.js', 59), selfSize: 3 * MiB, children: [] }
        ] },
        { id: 4, callFrame: frame('processTimers', 'node:internal/timers', 602), selfSize: 0, children: [
          { id: 5, callFrame: frame('sink', 'file:///x/node_modules/@chainsafe/libp2p-yamux/dist/src/muxer.js', 81), selfSize: MiB, children: [] }
        ] }
      ]
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'heapprofile-'))
  const file = join(dir, 'idle.heapprofile')
  await writeFile(file, JSON.stringify(profile))
  const { stdout } = await promisify(execFile)(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', 'sim/bench/heapprofile-top.ts', file])
  t.regex(stdout, /4\.0 MiB sampled live/)
  t.regex(stdout, /3\.0 MiB +75\.0 % +it-pushable/)
  t.regex(stdout, /1\.0 MiB +25\.0 % +@chainsafe\/libp2p-yamux/)
  const charged = stdout.slice(stdout.indexOf('nearest fedmesh frame'))
  t.regex(charged, /3\.0 MiB +75\.0 % +round src\/services\/sync\/sync\.ts:219/)
  t.regex(charged, /1\.0 MiB +25\.0 % +\[no fedmesh frame\] @chainsafe\/libp2p-yamux/)
  t.regex(stdout, /pushable it-pushable:60\n +← round src\/services\/sync\/sync\.ts:219/)
})
