/**
 * The periodic round's choice of peer (protocols/sync.md, "When"): among the
 * connected members, except one round in `dialEveryRounds` (and any round with
 * no member connected), which picks among every member the peer store knows
 * and so may dial. The host is a fake that records the dials; no network.
 */
import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { SyncService } from '../../../src/services/sync/sync.ts'
import type { SyncComponents } from '../../../src/services/sync/index.ts'
import { SYNC_DIAL_EVERY_ROUNDS } from '../../../src/services/sync/constants.ts'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { seededRandom } from '../../../src/runtime/random.ts'
import { silentLogger } from '../../../src/runtime/log.ts'

async function peers (n: number): Promise<PeerId[]> {
  return await Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}

function service (connected: PeerId[], known: PeerId[], options: { dialEveryRounds?: number, addressless?: PeerId[] } = {}): { sync: SyncService, rounds: string[], storeReads: () => number } {
  const rounds: string[] = []
  let reads = 0
  let ms = 0
  const host = {
    handle: async () => {},
    unhandle: async () => {},
    // the round is counted by whom it asked; it fails at once (nothing to fetch here)
    dialProtocol: async (peer: PeerId) => { rounds.push(peer.toString()); throw new Error('no network here') },
    getPeers: () => connected,
    peerStore: { all: async () => { reads++; return known.map((id) => ({ id, addresses: options.addressless?.includes(id) === true ? [] : ['/memory/x'] })) } },
    addEventListener: () => {},
    removeEventListener: () => {}
  }
  const components = {
    host,
    members: { admits: () => true, key: () => undefined },
    clock: clockFrom(() => ++ms),
    random: seededRandom(new Uint8Array(32), 'sync-cadence'),
    logger: silentLogger(),
    nodeId: 'self'
  } as unknown as SyncComponents
  return { sync: new SyncService(components, { ...(options.dialEveryRounds === undefined ? {} : { dialEveryRounds: options.dialEveryRounds }) }), rounds, storeReads: () => reads }
}

test('periodic rounds stay on connections; one in SYNC_DIAL_EVERY_ROUNDS picks an unconnected member (the healed-partition path)', async (t) => {
  const ids = await peers(10)
  const connected = ids.slice(0, 3)
  const { sync, rounds, storeReads } = service(connected, ids)
  const ticks = 4 * SYNC_DIAL_EVERY_ROUNDS
  for (let i = 0; i < ticks; i++) await sync.tick()
  t.is(rounds.length, ticks, 'one round per tick')
  const isConnected = (id: string): boolean => connected.some((p) => p.toString() === id)
  const dialled = rounds.filter((id) => !isConnected(id))
  t.is(dialled.length, 4, `a round with an unconnected member once in ${SYNC_DIAL_EVERY_ROUNDS} (was every round)`)
  for (let i = 0; i < ticks; i++) t.is(isConnected(rounds[i]), (i + 1) % SYNC_DIAL_EVERY_ROUNDS !== 0, `round ${i + 1}`)
  t.is(storeReads(), 4, 'the peer store is read only by the rounds that may dial')
  t.is(new Set(dialled).size, 4, 'each dial round tries the unconnected member tried least recently')
})

test('with no member connected every round picks among the known members', async (t) => {
  const ids = await peers(4)
  const { sync, rounds } = service([], ids)
  for (let i = 0; i < 4; i++) await sync.tick()
  t.deepEqual([...rounds].sort(), ids.map(String).sort(), 'four rounds, four different members, none connected')
})

test('dialEveryRounds 1: every round may dial (the old cadence)', async (t) => {
  const ids = await peers(6)
  const { sync, rounds } = service(ids.slice(0, 1), ids, { dialEveryRounds: 1 })
  for (let i = 0; i < 6; i++) await sync.tick()
  t.is(new Set(rounds).size, 6, 'least recently tried among all six: each once')
})

test('a dial round never picks a member the peer store holds no address for (dialling it would walk the DHT first)', async (t) => {
  const ids = await peers(6)
  const addressless = ids.slice(0, 3)
  const { sync, rounds } = service([], ids, { addressless })
  for (let i = 0; i < 9; i++) await sync.tick()
  t.is(rounds.length, 9)
  t.deepEqual([...new Set(rounds)].sort(), ids.slice(3).map(String).sort(), 'only the three members with an address are tried')
})
