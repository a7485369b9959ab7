/**
 * The membership chain on the network (see index.ts): members serve the
 * decided membership events since an epoch with their QCs; a node whose
 * membership is behind (a newly added member holds only the genesis) fetches
 * them from each member it connects to, replays them from the membership it
 * holds (every QC verified), stores them, and has consensus re-read the store
 * so its directory, gater and status change at once. When the membership
 * changes, members not connected are dialled at their address hints.
 */
import type { PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { pbStream } from 'it-protobuf-stream'
import { z } from 'zod'
import type { Uint8ArrayList } from 'uint8arraylist'
import { InputError } from '../../core/errors.ts'
import { eventHash, federationIdSchema } from '../../core/consensus/event.ts'
import type { Membership } from '../../core/consensus/membership.ts'
import { MEMBERSHIP_CHAIN_ENTRIES_MAX, membershipChainEntryToJson, verifyMembershipChain, type MembershipChainEntry } from '../../core/consensus/membership-chain.ts'
import type { ConsensusRecord } from '../../core/consensus/machine.ts'
import {
  MEMBER_HINTS_DIALLED_MAX, MEMBERSHIP_FETCH_MS_MAX, MEMBERSHIP_FETCH_ROUNDS_MAX, MEMBERSHIP_FRAME_BYTES_MAX, MEMBERSHIP_SERVE_MS_MAX, membershipChainProtocol
} from './constants.ts'
import type { MembershipChainComponents, MembershipChainInit } from './index.ts'

const requestSchema = z.strictObject({ federation_id: federationIdSchema, from_epoch: z.number().int().nonnegative() })
const responseSchema = z.strictObject({
  federation_id: federationIdSchema,
  /** the serving node's current epoch */
  epoch: z.number().int().nonnegative(),
  entries: z.array(z.unknown()).max(MEMBERSHIP_CHAIN_ENTRIES_MAX),
  error: z.string().max(200).optional()
})
type ChainResponse = z.output<typeof responseSchema>

/** A JSON frame codec for it-protobuf-stream's length-prefixed framing, schema-checked on read. */
function jsonCodec<T> (schema: z.ZodType<T>): { encode: (value: T) => Uint8Array, decode: (bytes: Uint8Array | Uint8ArrayList) => T } {
  return {
    encode: (value) => new TextEncoder().encode(JSON.stringify(value)),
    decode: (bytes) => {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes instanceof Uint8Array ? bytes : bytes.subarray())
      const parsed = schema.safeParse(JSON.parse(text))
      if (!parsed.success) throw new MembershipFetchError(`malformed membership frame: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ').slice(0, 200)}`)
      return parsed.data
    }
  }
}

/** A peer could not or would not give the membership chain. */
export class MembershipFetchError extends InputError {
  static override readonly code = 'MembershipFetchError'
  override readonly name = 'MembershipFetchError'
}

/** Serves and fetches the membership chain; dials members at their address hints. */
export class MembershipChainService {
  private readonly components: MembershipChainComponents
  private readonly protocol: string
  private readonly inFlight = new Set<string>()
  private readonly shutdown = new AbortController()
  /** one fetch-and-apply at a time: two peers' answers must not be applied over each other */
  private applying: Promise<unknown> = Promise.resolve()

  constructor (components: MembershipChainComponents, init: MembershipChainInit) {
    this.components = components
    this.protocol = membershipChainProtocol(init.federationId)
  }

  async start (): Promise<void> {
    await this.components.host.handle(this.protocol, (data) => { void this.serve(data) })
    this.components.host.addEventListener('peer:connect', this.onPeerConnect)
  }

  async stop (): Promise<void> {
    this.components.host.removeEventListener('peer:connect', this.onPeerConnect)
    this.shutdown.abort()
    await this.components.host.unhandle(this.protocol).catch(() => {})
  }

  /** A new membership: members this node is not connected to are dialled at their address hints (a new member learns of nobody otherwise). */
  membershipChanged (membership: Membership): void {
    this.dialMembers([...membership.members.values()])
  }

  /** Dials, at their address hints, the given members (or draft founders) this node is not connected to. */
  dialMembers (members: ReadonlyArray<{ node_id: string, addresses?: string[] }>): void {
    const connected = new Set(this.components.host.getPeers().map((p) => p.toString()))
    for (const member of members) {
      if (member.node_id === this.components.nodeId || connected.has(member.node_id) || member.addresses === undefined || member.addresses.length === 0) continue
      void this.dialHints(member.node_id, member.addresses.slice(0, MEMBER_HINTS_DIALLED_MAX))
    }
  }

  private async dialHints (nodeId: string, addresses: string[]): Promise<void> {
    try {
      const peer = peerIdFromString(nodeId)
      const multiaddrs = addresses.flatMap((a) => {
        try {
          const ma = multiaddr(a)
          const named = ma.getPeerId()
          return named === null || named === nodeId ? [ma] : []
        } catch { return [] }
      })
      if (multiaddrs.length === 0) return
      await this.components.host.peerStore.merge(peer, { multiaddrs })
      await this.components.host.dial(peer, { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(MEMBERSHIP_FETCH_MS_MAX)]) })
    } catch (err) {
      this.components.logger.debug({ err, peer: nodeId }, 'dialling a member at its address hints failed')
    }
  }

  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    const id = event.detail.toString()
    if (id === this.components.nodeId || !this.components.members.admits(id) || this.components.members.current() === undefined) return
    void this.fetchFrom(event.detail).catch((err: unknown) => {
      this.components.logger.warn({ err, peer: id }, 'membership chain from a member refused')
    })
  }

  /**
   * Asks `peer` for the membership changes after this node's epoch, verifies them from the membership
   * this node holds and stores them. Resolves to the epochs applied; MembershipChainError for a bad chain.
   */
  async fetchFrom (peer: PeerId): Promise<number> {
    const id = peer.toString()
    if (this.inFlight.has(id)) return 0
    this.inFlight.add(id)
    try {
      const run = this.applying.then(async () => await this.fetchAndApply(peer))
      this.applying = run.catch(() => {})
      return await run
    } finally {
      this.inFlight.delete(id)
    }
  }

  private async fetchAndApply (peer: PeerId): Promise<number> {
    const { consensusStore, host, verifier, logger } = this.components
    const start = await consensusStore.membership()
    if (start === undefined) return 0 // without a genesis nothing can be verified
    const policy = (await consensusStore.policy()) ?? this.components.fallbackPolicy
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(MEMBERSHIP_FETCH_MS_MAX)])
    let stream: Stream
    try {
      stream = await host.dialProtocol(peer, this.protocol, { signal })
    } catch (err) {
      throw new MembershipFetchError(`cannot open the membership protocol with ${peer.toString()}: ${(err as Error).message}`, { cause: err })
    }
    let membership = start
    let applied = 0
    try {
      const frames = pbStream(stream, { maxDataLength: MEMBERSHIP_FRAME_BYTES_MAX })
      for (let round = 0; round < MEMBERSHIP_FETCH_ROUNDS_MAX; round++) {
        await frames.write({ federation_id: membership.federation_id, from_epoch: membership.epoch }, jsonCodec(requestSchema), { signal })
        const response: ChainResponse = await frames.read(jsonCodec(responseSchema), { signal })
        if (response.error !== undefined) throw new MembershipFetchError(`${peer.toString()} answered: ${response.error}`)
        if (response.federation_id !== membership.federation_id) throw new MembershipFetchError(`${peer.toString()} answered for federation "${response.federation_id}"`)
        if (response.entries.length === 0) break
        const links = verifyMembershipChain({ membership, policy, verifier, entries: response.entries })
        const records: ConsensusRecord[] = links.flatMap(({ membership: next, entry }) => [
          { kind: 'event' as const, event_hash: entry.qc.event_hash, event: entry.event },
          { kind: 'qc' as const, qc: entry.qc },
          { kind: 'membership' as const, membership: next }
        ])
        // the links and the membership they lead to: one batch
        await consensusStore.persist(records)
        membership = links.at(-1)!.membership
        applied += links.length
        if (membership.epoch >= response.epoch) break
      }
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      stream.abort(err as Error)
      if (applied === 0) throw err
      logger.warn({ err, peer: peer.toString() }, 'membership chain fetch stopped part-way; the verified part is kept')
    }
    if (applied > 0) {
      logger.info({ peer: peer.toString(), federation: membership.federation_id, from: start.epoch, epoch: membership.epoch }, 'membership chain verified from genesis')
      await this.components.reload()
    }
    return applied
  }

  /** Answers a member's requests for the chain after an epoch; never throws. */
  private async serve ({ stream, connection }: { stream: Stream, connection: { remotePeer: PeerId } }): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(MEMBERSHIP_SERVE_MS_MAX)])
    const peer = connection.remotePeer.toString()
    try {
      if (!this.components.members.admits(peer) || this.components.members.current() === undefined) throw new MembershipFetchError('the membership chain is served to members only')
      const frames = pbStream(stream, { maxDataLength: MEMBERSHIP_FRAME_BYTES_MAX })
      for (let round = 0; round < MEMBERSHIP_FETCH_ROUNDS_MAX; round++) {
        let request: z.output<typeof requestSchema>
        try {
          request = await frames.read(jsonCodec(requestSchema), { signal })
        } catch {
          break // the asker closed the stream (or sent garbage): done
        }
        await frames.write(await this.answer(request), jsonCodec(responseSchema), { signal })
      }
      await stream.close({ signal }).catch(() => {})
    } catch (err) {
      this.components.logger.debug({ err, peer }, 'membership stream failed')
      stream.abort(err as Error)
    }
  }

  /** The entries after `from_epoch`, at most MEMBERSHIP_CHAIN_ENTRIES_MAX of them. */
  private async answer (request: z.output<typeof requestSchema>): Promise<ChainResponse> {
    const { consensusStore } = this.components
    const current = await consensusStore.membership()
    if (current === undefined || current.federation_id !== request.federation_id) {
      return { federation_id: request.federation_id, epoch: 0, entries: [], error: 'NotThisFederation' }
    }
    const entries: unknown[] = []
    for (let epoch = request.from_epoch + 1; epoch <= current.epoch && entries.length < MEMBERSHIP_CHAIN_ENTRIES_MAX; epoch++) {
      const entry = await this.entryAt(epoch)
      if (entry === undefined) break // a gap this node cannot fill (an older store): the asker tries another member
      entries.push(membershipChainEntryToJson(entry))
    }
    return { federation_id: current.federation_id, epoch: current.epoch, entries }
  }

  private async entryAt (epoch: number): Promise<MembershipChainEntry | undefined> {
    const { consensusStore } = this.components
    const membership = await consensusStore.membershipAt(epoch)
    const decision = membership?.decided_by
    if (membership === undefined || decision === undefined) return undefined
    const event = (await consensusStore.events(decision.slot)).find((e) => eventHash(e) === decision.event_hash)
    const qc = await consensusStore.qc(decision.slot)
    if (event === undefined || qc === undefined || qc.event_hash !== decision.event_hash) return undefined
    const added = event.type === 'membership_add' ? membership.members.get(event.body.member.node_id)?.joined_at : undefined
    return { event, qc, decided_at: added ?? 0 }
  }
}
