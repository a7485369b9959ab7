/**
 * Attack scenarios, after the gossipsub v1.1 evaluation (Vyzovitis et al.
 * 2020), played against the real nodes of one in-process cluster:
 *
 * - `sybil`: `count` non-members (fresh keys, bare libp2p peers from
 *   sim/bench/raw-libp2p.ts) dial random honest nodes `rate_per_second`
 *   times a second each and publish junk on the load topics. The federation
 *   gater must refuse every one of them after the noise handshake.
 * - `eclipse`: `count` extra *members* (their keys are in the membership, so
 *   the gater admits them) all dial one victim and keep re-dialling; they
 *   subscribe to the load topics but forward and deliver nothing (a topic
 *   validator that ignores everything). The victim's delivery is reported
 *   apart.
 * - `covert_flash`: the byzantine members run as honest fedmesh nodes until
 *   `start_seconds`, then at once stop forwarding the load (their load topics
 *   ignore everything) and flood `rate_per_second` invalid messages each: a
 *   signed envelope whose payload fails the load schema, and bytes that are no
 *   envelope at all.
 *
 * Observed from outside: attacker dials and how they ended, the honest side's
 * gater checks of non-members (the sim's `denyPeer` hook runs before the
 * federation gater on every dial and handshake; a non-member is refused by
 * the gater), honest connections to attackers (sampled each tick), attack
 * messages, and at the end of the load the gossipsub scores honest nodes
 * hold for the attackers (P4 invalid-message penalties).
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TopicValidatorResult } from '@libp2p/interface'
import { defaultPeerScoreThresholds } from '@chainsafe/libp2p-gossipsub/score'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import type { FedmeshNode } from '../src/node/node.ts'
import { gossipTopic } from '../src/net/gossip.ts'
import type { DataClass } from '../src/wire/envelope.ts'
import type { Scenario } from './scenario.ts'
import type { Plan } from './plan.ts'
import { LOAD_CONTENT_TYPE, LOAD_SCHEMA_ID } from './load.ts'
import { createRawPeer, type RawPeer } from './bench/raw-libp2p.ts'
import { simHostOptions } from './profile.ts'

/** Bound on one attacker dial. */
const ATTACK_DIAL_MS_MAX = 5_000

/** What the attack did and met, counted over the run. */
export interface AttackStats {
  attackers: number
  dials: { attempted: number, completed: number, failed: number }
  /** honest nodes' gater checks (dial, inbound and outbound handshake) of peers outside the membership: each one refused */
  gaterRefusals: number
  /** sybil: the most connections honest nodes held to attackers at any tick (must stay 0); null when the attackers are members */
  honestConnectionsToAttackersMax: number | null
  attackMessages: number
  /** eclipse: the victim's connections to attackers (max) and to honest nodes (min) over the ticks */
  victimAttackerConnectionsMax: number | null
  victimHonestConnectionsMin: number | null
}

/** Gossipsub scores honest nodes hold for the attackers, at the end of the load. */
export interface PenaltyStats {
  /** (honest node, attacker) pairs where the honest node keeps a score for the attacker */
  pairsScored: number
  pairsNegative: number
  /** below gossipsub's graylist threshold: the attacker's messages are ignored outright */
  pairsGraylisted: number
  graylistThreshold: number
  minScore: number | null
}

/** The cluster as the attack sees it: honest nodes up, and who is who. */
export interface AttackView {
  scenario: Scenario
  plan: Plan
  runId: string
  /** up nodes of this cluster, by index */
  nodes: () => Array<{ index: number, node: FedmeshNode }>
}

/** The attacker identities of a plan (sybil, eclipse). */
export async function attackerIdentities (plan: Plan): Promise<Array<{ seed: Uint8Array, peerId: string }>> {
  return await Promise.all(plan.attackerSeeds.map(async (seed) => ({ seed, peerId: peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', seed)).toString() })))
}

/** Plays one scenario's attack. */
export class AttackPlayer {
  private readonly view: AttackView
  private readonly kind: NonNullable<Scenario['attack']>['kind']
  private readonly peers: RawPeer[] = []
  /** attacker peer ids (sybil, eclipse: the raw peers; covert_flash: the byzantine members) */
  private readonly attackerIds = new Set<string>()
  private readonly rng: ReturnType<typeof xoroshiro128plus>
  private started = false
  private readonly stats: AttackStats

  constructor (view: AttackView) {
    this.view = view
    const attack = view.scenario.attack
    if (attack === undefined) throw new Error('the scenario has no attack')
    this.kind = attack.kind
    this.rng = xoroshiro128plus(view.scenario.seed ^ 0x5eed)
    const eclipse = this.kind === 'eclipse'
    this.stats = {
      attackers: this.kind === 'covert_flash' ? view.plan.byzantine.length : view.plan.attackerSeeds.length,
      dials: { attempted: 0, completed: 0, failed: 0 },
      gaterRefusals: 0,
      honestConnectionsToAttackersMax: this.kind === 'sybil' ? 0 : null,
      attackMessages: 0,
      victimAttackerConnectionsMax: eclipse ? 0 : null,
      victimHonestConnectionsMin: null
    }
  }

  /** The sim's denyPeer hook saw a gater check of `peer` at an honest node; `member` is the membership's answer. */
  gaterCheck (member: boolean): void {
    if (!member) this.stats.gaterRefusals++
  }

  /** The attack begins: attacker peers start (sybil, eclipse), or the byzantine members turn (covert_flash). */
  async start (federationId: string): Promise<void> {
    if (this.started) return
    this.started = true
    const topics = this.view.scenario.load.data_classes.map((c) => gossipTopic(federationId, c))
    if (this.kind === 'covert_flash') {
      for (const { index, node } of this.view.nodes()) {
        if (!this.view.plan.byzantine.includes(index)) continue
        this.attackerIds.add(node.peerId.toString())
        // stop forwarding and delivering the load: gossipsub drops a message its topic validator does not accept
        for (const topic of topics) node.libp2p.services.pubsub.topicValidators.set(topic, () => TopicValidatorResult.Ignore)
      }
      return
    }
    const identities = await attackerIdentities(this.view.plan)
    await Promise.all(identities.map(async ({ seed, peerId }, i) => {
      // speaks what the honest nodes speak: plaintext under the lean profile's network-only setting
      const encryption = simHostOptions(this.view.scenario)?.encryption
      const peer = await createRawPeer({ listen: `/memory/attacker-${this.view.runId}-${i}`, privateKey: await generateKeyPairFromSeed('Ed25519', seed), protocolPrefix: 'fedmesh', ...(encryption === undefined ? {} : { encryption }) })
      await peer.start()
      for (const topic of topics) {
        peer.services.pubsub.subscribe(topic)
        // eclipse: a black hole; sybil: never connected, so nothing to forward anyway
        peer.services.pubsub.topicValidators.set(topic, () => TopicValidatorResult.Ignore)
      }
      this.attackerIds.add(peerId)
      this.peers.push(peer)
    }))
    await this.tick(federationId)
  }

  private async dial (peer: RawPeer, address: string): Promise<void> {
    this.stats.dials.attempted++
    try {
      await peer.dial(multiaddr(address), { signal: AbortSignal.timeout(ATTACK_DIAL_MS_MAX) })
      this.stats.dials.completed++
    } catch (err) {
      this.stats.dials.failed++
      if (process.env.SIM_ATTACK_DEBUG !== undefined) console.error('attack dial', (err as Error).name, (err as Error).message)
    }
  }

  /** One round of the attack (the coordinator calls it `rate_per_second` times a second while the load runs). */
  async tick (federationId: string): Promise<void> {
    if (!this.started) return
    const nodes = this.view.nodes()
    const byzantine = new Set(this.view.plan.byzantine)
    const honest = nodes.filter((n) => !byzantine.has(n.index))
    const topics = this.view.scenario.load.data_classes.map((c) => gossipTopic(federationId, c))
    switch (this.kind) {
      case 'sybil': {
        if (honest.length === 0) break
        await Promise.all(this.peers.map(async (peer, i) => {
          const target = honest[uniformInt(this.rng, 0, honest.length - 1)]
          await this.dial(peer, target.node.multiaddrs()[0])
          const junk = createHash('sha256').update(`sybil/${this.view.scenario.seed}/${i}/${this.stats.attackMessages}`).digest()
          for (const topic of topics) {
            await peer.services.pubsub.publish(topic, junk).catch(() => {})
            this.stats.attackMessages++
          }
        }))
        break
      }
      case 'eclipse': {
        const victim = nodes.find((n) => n.index === this.view.plan.victim)
        if (victim === undefined) break
        const victimId = victim.node.peerId.toString()
        await Promise.all(this.peers.map(async (peer) => {
          if (peer.getConnections().some((c) => c.remotePeer.toString() === victimId)) return
          await this.dial(peer, victim.node.multiaddrs()[0])
        }))
        const conns = victim.node.libp2p.getConnections()
        const toAttackers = conns.filter((c) => this.attackerIds.has(c.remotePeer.toString())).length
        this.stats.victimAttackerConnectionsMax = Math.max(this.stats.victimAttackerConnectionsMax ?? 0, toAttackers)
        const honestConns = conns.length - toAttackers
        this.stats.victimHonestConnectionsMin = Math.min(this.stats.victimHonestConnectionsMin ?? honestConns, honestConns)
        break
      }
      case 'covert_flash': {
        for (const { index, node } of nodes) {
          if (!byzantine.has(index)) continue
          for (const dataClass of this.view.scenario.load.data_classes) {
            // a signed envelope whose payload fails the load schema, and bytes that are no envelope at all
            const filler = createHash('sha256').update(`flash/${this.view.scenario.seed}/${index}/${this.stats.attackMessages}`).digest()
            await node.envelopes.publish(dataClass as DataClass, node.envelopes.seal(dataClass as DataClass, LOAD_SCHEMA_ID, filler, LOAD_CONTENT_TYPE)).catch(() => {})
            await node.libp2p.services.pubsub.publish(gossipTopic(federationId, dataClass), filler).catch(() => {})
            this.stats.attackMessages += 2
          }
        }
        break
      }
    }
    this.sampleConnections(honest)
  }

  private sampleConnections (honest: Array<{ node: FedmeshNode }>): void {
    // eclipse and covert_flash attackers are members: connections to them are allowed (the victim's figures show the eclipse)
    if (this.stats.honestConnectionsToAttackersMax === null) return
    let count = 0
    for (const { node } of honest) count += node.libp2p.getConnections().filter((c) => this.attackerIds.has(c.remotePeer.toString())).length
    this.stats.honestConnectionsToAttackersMax = Math.max(this.stats.honestConnectionsToAttackersMax, count)
  }

  /** The gossipsub scores honest nodes hold for the attackers, now. */
  penalties (): PenaltyStats {
    const byzantine = new Set(this.view.plan.byzantine)
    const graylistThreshold = defaultPeerScoreThresholds.graylistThreshold
    const result: PenaltyStats = { pairsScored: 0, pairsNegative: 0, pairsGraylisted: 0, graylistThreshold, minScore: null }
    for (const { index, node } of this.view.nodes()) {
      if (byzantine.has(index)) continue
      const pubsub = node.libp2p.services.pubsub
      for (const id of this.attackerIds) {
        if (!pubsub.score.peerStats.has(id)) continue
        const score = pubsub.getScore(id)
        result.pairsScored++
        if (score < 0) result.pairsNegative++
        if (score < graylistThreshold) result.pairsGraylisted++
        result.minScore = result.minScore === null ? score : Math.min(result.minScore, score)
      }
    }
    return result
  }

  snapshot (): AttackStats {
    return structuredClone(this.stats)
  }

  async close (): Promise<void> {
    await Promise.all(this.peers.map(async (peer) => { try { await peer.stop() } catch {} }))
    this.peers.length = 0
  }
}
