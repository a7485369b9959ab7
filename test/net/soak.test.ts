/**
 * Connection resources under load (loopback, bounded): while 50 idle raw
 * sockets are held open (re-opened as the node's upgrade timeout closes them)
 * and 2,000 dials from fresh identities run, members keep connecting and
 * delivering. Asserts delivery and bounds, never timing.
 *
 * The attacker comes from its own address (127.0.0.2, still loopback on
 * Linux), the members from 127.0.0.1, as on a network: when both shared one
 * IP, the per-IP rate limit the flood exhausts was the members' too, and on a
 * loaded machine a member could lose that lottery for minutes.
 */
import test from 'ava'
import { connect, type Socket } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p } from 'libp2p'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { PrivateKey } from '@libp2p/interface'
import { createHost, type FedmeshLibp2p } from '../../src/net/host.ts'
import { GossipRegistry, gossipTopic } from '../../src/net/gossip.ts'
import { NodeMetrics } from '../../src/runtime/metrics.ts'
import { silentLogger } from '../../src/runtime/log.ts'

const IDLE_SOCKETS = 50
const FLOOD_DIALS = 2000
const FLOOD_CONCURRENCY = 50
const FEDERATION = 'soak-test'
/** the attacker's source address; the members dial from the default, 127.0.0.1 */
const ATTACKER_IP = '127.0.0.2'

async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('50 idle sockets and a 2,000-dial flood from fresh identities: members keep connecting and delivering', async (t) => {
  const keys: PrivateKey[] = await Promise.all(Array.from({ length: 3 }, async () => await generateKeyPair('Ed25519')))
  const memberIds = new Set(keys.map((key) => peerIdFromPrivateKey(key).toString()))
  const hosts: FedmeshLibp2p[] = []
  const registries: GossipRegistry[] = []
  const delivered: string[][] = []
  for (const [index, key] of keys.entries()) {
    const libp2p = await createHost({
      privateKey: key, transport: 'tcp', listen: ['/ip4/127.0.0.1/tcp/0'], federationEnabled: true, bootstrap: [],
      admits: (id) => memberIds.has(id), datastore: new MemoryDatastore(), gossipHeartbeatMs: 200
    })
    await libp2p.start()
    hosts.push(libp2p)
    const got: string[] = []
    delivered.push(got)
    const gossip = new GossipRegistry({ pubsub: libp2p.services.pubsub, federationId: FEDERATION, counters: new NodeMetrics(), log: silentLogger() })
    gossip.register({ dataClass: 'aggregated_metrics', validate: (data) => ({ action: 'accept', value: new TextDecoder().decode(data) }), deliver: (value: string) => { got.push(value) } })
    registries.push(gossip)
    void index
  }
  const [target, m1, m2] = hosts as [FedmeshLibp2p, FedmeshLibp2p, FedmeshLibp2p]
  const address = target.getMultiaddrs()[0]!
  const { port } = address.toOptions()
  let attacking = true
  let membersDelivered = false
  const sockets = new Set<Socket>()
  t.teardown(async () => {
    attacking = false
    for (const socket of sockets) socket.destroy()
    for (const gossip of registries) gossip.stop()
    await Promise.all(hosts.map(async (h) => { await h.stop() }))
  })

  // 50 idle raw sockets: no handshake, re-opened whenever the node closes one
  const openIdle = (): void => {
    if (!attacking) return
    const socket = connect({ host: '127.0.0.1', port, localAddress: ATTACKER_IP })
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => { sockets.delete(socket); setTimeout(openIdle, 10) })
  }
  for (let i = 0; i < IDLE_SOCKETS; i++) openIdle()

  // the flood: each dial from a fresh identity, FLOOD_CONCURRENCY at a time
  let dials = 0
  let refused = 0
  const flooder = async (): Promise<void> => {
    // the flood runs until it has made FLOOD_DIALS dials AND both members have delivered: the members'
    // delivery is therefore always during the flood, whatever the machine's load does to the timing
    while (attacking && (!membersDelivered || dials < FLOOD_DIALS)) {
      dials++
      // TCPSocketOptions does not name localAddress, but @libp2p/tcp hands dialOpts to net.connect as they are
      const node = await createLibp2p({ transports: [tcp({ dialOpts: { localAddress: ATTACKER_IP } as TCPSocketOptions })], connectionEncrypters: [noise()], streamMuxers: [yamux()], connectionMonitor: { enabled: false } })
      await node.start()
      try {
        await node.dial(address, { signal: AbortSignal.timeout(5000) })
      } catch {
        refused++
      } finally {
        await node.stop()
      }
    }
  }
  const flood = Promise.all(Array.from({ length: FLOOD_CONCURRENCY }, flooder))

  // meanwhile, members connect (retrying: the machine is loaded and the global pending limit is shared) and deliver
  const topic = gossipTopic(FEDERATION, 'aggregated_metrics')
  const memberDialErrors = new Map<string, number>()
  t.teardown(() => { t.log(`member dial errors: ${JSON.stringify([...memberDialErrors])}`) })
  const connectMember = async (member: FedmeshLibp2p): Promise<void> => {
    await until('a member to connect', async () => {
      try { await member.dial(address, { signal: AbortSignal.timeout(5000) }); return true } catch (err) { memberDialErrors.set((err as Error).name, (memberDialErrors.get((err as Error).name) ?? 0) + 1); return false }
    })
  }
  const startedAt = Date.now()
  await Promise.all([connectMember(m1), connectMember(m2)])
  for (const [index, member] of [m1, m2].entries()) {
    await until('the member to see the target subscribed', () => member.services.pubsub.getSubscribers(topic).some((p) => p.equals(target.peerId)))
    const text = `member ${index} during the flood`
    await until('delivery during the flood', async () => {
      await registries[index + 1]!.publish('aggregated_metrics', new TextEncoder().encode(text)).catch(() => 0)
      return delivered[0]!.includes(text)
    })
  }
  const dialsBeforeDelivery = dials
  const deliveredAfterMs = Date.now() - startedAt
  // both members delivered with the flood still running (it cannot stop before this line); let it finish its dials
  membersDelivered = true
  await flood
  attacking = false
  t.log(`flood: ${dialsBeforeDelivery} dials started before both members delivered (${deliveredAfterMs} ms), ${dials} in all; ${refused} failed at the dialer`)
  t.true(dials >= FLOOD_DIALS, 'the whole flood ran')
  // a dialer finishes its side of noise before the target's gater refuses it, so its dial may "succeed": look at the target
  t.true(target.getConnections().every((c) => memberIds.has(c.remotePeer.toString())), 'only members are connected')
  t.true(sockets.size <= IDLE_SOCKETS)
})
