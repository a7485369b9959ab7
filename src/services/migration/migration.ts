/**
 * The migration service (see index.ts). Decisions are core/migration's; this
 * class reads and writes the store, talks to the DHT and keeps the timer.
 */
import { randomBytes } from 'node:crypto'
import { fromString, toString } from 'uint8arrays'
import { InputError } from '../../core/errors.ts'
import { formatParticipantId, parseParticipantId } from '../../core/identity/participant-id.ts'
import { parseParticipantKey } from '../../core/identity/participant-keys.ts'
import { signStatement, verifyStatement } from '../../core/identity/statement.ts'
import { publicKeyFromClaims, publicKeyToClaims } from '../../core/chain/node-statement.ts'
import { computeClaims, signAttestation, ATTESTATION_VERSION, type SignedAttestation } from '../../core/attestation/index.ts'
import { signExport, verifyExport, signatureToJson, type ExportBody, type ParticipantExport } from '../../core/migration/export.ts'
import {
  decodeRedirect, encodeRedirect, participantKeyId, redirectHash, redirectKeyOfIdentity, redirectKeyOfLocation, selectRedirect, signHomeBinding, signRedirect,
  type Redirect, type RedirectMembership
} from '../../core/migration/redirect.ts'
import { checkMoveCooldown, nextRedirectLink, resolutionStep, startResolution } from '../../core/migration/resolution.ts'
import { EXPORT_FORMAT, EXPORT_VERSION, KEY_CHALLENGE_KIND, REDIRECT_VERSION } from '../../core/migration/constants.ts'
import { KeyControlError, RecoveryWindowError } from '../../core/migration/errors.ts'
import { DuplicateParticipantError } from '../../core/matching/errors.ts'
import { participantSignerFromSeeds } from '../../crypto/participant-keys.ts'
import { lookupRedirects, putRedirect, validateRedirectRecord, type RedirectDhtInit } from '../../net/participant-redirects.ts'
import { toStoredJson } from '../../store/chains.ts'
import { ParticipantNotFoundError, type ParticipantRecord } from '../../store/participants.ts'
import type { IncomingMove, OutgoingMove } from '../../store/participant-moves.ts'
import { MOVES_PER_TICK_MAX, REDIRECT_DHT_TIMEOUT_MS, REDIRECT_REPUBLISH_MS } from './constants.ts'
import type { HybridPublicKey, HybridSigner } from '../../core/signature.ts'
import type { Migration, MigrationComponents, MigrationInit, MoveStart, MoveStatusView, RedirectView, ResolutionView } from './index.ts'
import { PeriodicTask } from '../../runtime/periodic.ts'

/** The participant is already moving, or the move asks for something the state does not allow. */
export class MoveStateError extends InputError {
  static override readonly code = 'MoveStateError'
  override readonly name = 'MoveStateError'
}

/** The redirect reached no DHT peer: nothing switched; the node retries, or run accept again. */
export class RedirectPublishError extends InputError {
  static override readonly code = 'RedirectPublishError'
  override readonly name = 'RedirectPublishError'
}

function view (r: Redirect): RedirectView {
  return { key: r.key, from: r.from, to: r.to, seq: r.seq, issued_at: r.issued_at, grace_until: r.grace_until, signed_by: r.signed_by, countersigner: r.countersigner }
}

const decodeBase64 = (text: string): Uint8Array => fromString(text, 'base64pad')
const encodeBase64 = (bytes: Uint8Array): string => toString(bytes, 'base64pad')

export class MigrationService implements Migration {
  private readonly components: MigrationComponents
  private readonly init: MigrationInit
  private readonly ticks: PeriodicTask
  /** when each served redirect was last put in the DHT (memory only: a restart republishes at once) */
  private readonly republishedAt = new Map<string, number>()

  constructor (components: MigrationComponents, init: MigrationInit) {
    this.components = components
    this.init = init
    this.ticks = new PeriodicTask({
      run: async () => { await this.tickAlone() },
      periodMs: init.pollMs,
      onError: (err) => { components.logger.warn({ err: err.message }, 'migration tick failed') }
    })
  }

  start (): void {
    this.ticks.start()
  }

  async stop (): Promise<void> {
    // the store closes after the services: let a tick in flight finish first
    await this.ticks.stop()
  }

  private get membership (): RedirectMembership {
    return { nodeKey: this.components.members.key, nodeOfSite: this.components.members.nodeOfSite }
  }

  private get dhtInit (): RedirectDhtInit {
    return { membership: this.membership, verifier: this.components.verifier, federationId: this.init.federationId, now: () => this.components.clock.now(), recoveryWindowMs: this.init.recoveryWindowMs }
  }

  private async hosted (id: string): Promise<ParticipantRecord> {
    const record = await this.components.participants.get(id)
    if (record === undefined) throw new ParticipantNotFoundError(`no participant ${id} on this node`)
    if (record.public_key === undefined) throw new MoveStateError(`${id} has no key of its own (added before participant keys): it cannot move`)
    return record
  }

  /** The move that brought `id` here, if it came by one. */
  private async arrival (id: string): Promise<{ move: IncomingMove, redirect: Redirect } | undefined> {
    const move = await this.components.moves.incoming(id)
    if (move?.redirect === undefined) return undefined
    return { move, redirect: decodeRedirect(decodeBase64(move.redirect)).redirect }
  }

  /** The signed export of a hosted participant (`movingTo`: the site it is moving to). */
  private async buildExport (record: ParticipantRecord, movingTo: string | null, finalAttestation?: SignedAttestation): Promise<ParticipantExport> {
    const { clock, signer, nodeId, chainStore } = this.components
    const now = clock.now()
    const publicKey = publicKeyFromClaims(record.public_key)
    const keyId = participantKeyId(publicKey)
    const recoveryKey = record.recovery_key === undefined ? null : publicKeyFromClaims(record.recovery_key)
    const binding = signHomeBinding({
      version: REDIRECT_VERSION, federation_id: this.init.federationId, participant: record.id, key: keyId,
      recovery_key: recoveryKey === null ? null : participantKeyId(recoveryKey), node: nodeId, issued_at: now
    }, signer)
    const arrival = await this.arrival(record.id)
    const before = arrival?.move.export
    const chains = (await chainStore.records())
      .filter((chain) => chain.bindings.some((b) => b?.participant === record.id))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((chain) => toStoredJson(chain))
    const body: ExportBody = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      federation_id: this.init.federationId,
      exported_at_ms: now,
      home: { node: nodeId, site: this.init.siteId },
      participant: {
        id: record.id,
        offers: record.offers,
        needs: record.needs,
        ...(record.weight === undefined ? {} : { weight: record.weight }),
        added_at: record.added_at,
        public_key: publicKeyToClaims(publicKey),
        recovery_key: recoveryKey === null ? null : publicKeyToClaims(recoveryKey),
        ...(record.auto_consent === undefined ? {} : { auto_consent: record.auto_consent })
      },
      binding: { binding: binding.binding, signature: signatureToJson(binding.signature) },
      moving_to: movingTo,
      redirects: [...(before?.redirects ?? []), ...(arrival === undefined ? [] : [arrival.move.redirect!])],
      // the history it brought (chains at earlier homes) and what happened here
      chains: [...(before?.chains ?? []), ...chains],
      attestations: [...(before?.attestations ?? []), ...(finalAttestation === undefined ? [] : [toStoredJson(finalAttestation)])]
    }
    return signExport(body, signer)
  }

  /** The home node's last word on the participant: its claims now, signed (travels in the export). */
  private async finalAttestation (record: ParticipantRecord): Promise<SignedAttestation> {
    const { clock, chainStore, signer, nodeId } = this.components
    const now = clock.now()
    const exchanges = (await chainStore.exchanges()).filter((e) => e.participant === record.id)
    const arrival = await this.arrival(record.id)
    const earlier = (arrival?.move.export.attestations ?? []) as Array<{ attestation?: { claims?: { member_since_ms?: number } } }>
    const since = Math.min(record.added_at, ...earlier.map((a) => a.attestation?.claims?.member_since_ms ?? record.added_at))
    const claims = computeClaims({ participant: record.id, member_since_ms: since, exchanges, vouches_received: 0 }, now)
    return signAttestation({
      version: ATTESTATION_VERSION, federation_id: this.init.federationId, issuing_node: nodeId, participant: record.id,
      participant_key: participantKeyId(publicKeyFromClaims(record.public_key)), issued_at_ms: now, claims
    }, signer)
  }

  async exportParticipant (id: string): Promise<ParticipantExport> {
    return await this.buildExport(await this.hosted(id), null)
  }

  async startMove (id: string, toSite: string): Promise<MoveStart> {
    const { moves, participants, clock, members } = this.components
    if (toSite === this.init.siteId) throw new MoveStateError(`${id} is already hosted on ${toSite}`)
    if (members.nodeOfSite(toSite) === undefined) throw new MoveStateError(`site ${toSite} is not a member of the federation`)
    const record = await this.hosted(id)
    const existing = await moves.outgoing(id)
    if (existing !== undefined && existing.to_site !== toSite) throw new MoveStateError(`${id} is already moving to ${existing.to_site}`)
    const arrival = await this.arrival(id)
    checkMoveCooldown({ lastMoveAtMs: arrival?.redirect.issued_at, nowMs: clock.now(), cooldownMs: this.init.cooldownMs })
    const secret = await participants.secretKey(id)
    if (secret === undefined) throw new MoveStateError(`this node keeps no key for ${id}: the participant signs its redirect on the new node with its own key`)
    const final = await this.finalAttestation(record)
    const document = await this.buildExport(record, toSite, final)
    if (existing === undefined) {
      // paused while it moves: never matched nor bound here again; hosted here until the redirect is seen
      const move: OutgoingMove = { participant: id, to_site: toSite, started_at: clock.now(), status: 'moving', previous_status: record.status ?? 'active', note: 'waiting for the new node to publish the redirect' }
      await moves.batch([...participants.putOperations({ ...record, status: 'paused' }), moves.putOutgoingOperation(move)])
      this.components.logger.info({ participant: id, to: toSite }, 'participant move started')
    }
    return { export: document, key: secret }
  }

  async accept (document: ParticipantExport, keyText: string, options: { publish: boolean }): Promise<MoveStatusView> {
    const { moves, participants, clock, nodeId } = this.components
    const verified = verifyExport(document, { membership: this.membership, verifier: this.components.verifier, federationId: this.init.federationId, nowMs: clock.now() })
    if (document.moving_to !== this.init.siteId) {
      throw new MoveStateError(`the export names ${document.moving_to === null ? 'no target' : `site ${document.moving_to}`}: the old node must start the move to ${this.init.siteId} ("fedmesh participant move … --to ${this.init.siteId}")`)
    }
    const from = document.participant.id
    const id = formatParticipantId({ handle: parseParticipantId(from).handle, node: this.init.siteId })
    const previous = await moves.incoming(id)
    if (previous?.status === 'hosted' && previous.from === from) return await this.moveStatus(id)
    if (previous?.status === 'overridden' && previous.from === from) throw new MoveStateError(`${from} was recovered elsewhere with its recovery key: this move no longer stands`)
    // key control: the participant signs a fresh challenge with the key the export names
    const participantSigner = participantSignerFromSeeds(parseParticipantKey(keyText))
    this.proveKeyControl(participantSigner, verified.publicKey, from, 'key')
    const last = verified.redirects[verified.redirects.length - 1]
    checkMoveCooldown({ lastMoveAtMs: last?.issued_at, nowMs: clock.now(), cooldownMs: this.init.cooldownMs })
    if (await participants.get(id) !== undefined && previous === undefined) throw new DuplicateParticipantError(`participant ${id} already exists on this node`)
    if (previous === undefined || previous.from !== from) {
      // verified and kept, not hosted: nothing has switched yet
      await moves.putIncoming({ participant: id, from, imported_at: clock.now(), status: 'imported', export: document, secret: keyText.trim() })
      this.components.logger.info({ participant: id, from }, 'participant import verified')
    }
    if (!options.publish) return await this.moveStatus(id)
    let move = (await moves.incoming(id))!
    if (move.status === 'imported') {
      const now = clock.now()
      const link = nextRedirectLink(last)
      const signed = signRedirect({
        redirect: {
          version: REDIRECT_VERSION, federation_id: this.init.federationId, key: participantKeyId(verified.publicKey), from, to: id,
          ...link, issued_at: now, grace_until: now + this.init.graceMs, signed_by: 'key', countersigner: nodeId
        },
        participant: participantSigner,
        identityKey: verified.publicKey,
        node: this.components.signer,
        home: verified.binding
      })
      move = { ...move, status: 'signed', redirect: encodeBase64(encodeRedirect(signed)) }
      await moves.putIncoming(move)
    }
    await this.publishAndHost(move)
    return await this.moveStatus(id)
  }

  /** The participant (or its recovery key) signs a fresh challenge, verified with the key the export names; KeyControlError otherwise. */
  private proveKeyControl (signer: HybridSigner, expected: HybridPublicKey, participant: string, what: string): void {
    const challenge = signStatement({ kind: KEY_CHALLENGE_KIND, participant, issuedAtMs: this.components.clock.now(), claims: { nonce: toString(randomBytes(32), 'base64url'), node: this.components.nodeId } }, signer)
    try {
      verifyStatement(challenge, expected, this.components.verifier)
    } catch {
      throw new KeyControlError(`the ${what} given is not the ${what} of ${participant} in the export`)
    }
  }

  async recover (document: ParticipantExport, recoveryKeyText: string, keyText: string | undefined): Promise<MoveStatusView> {
    const { moves, participants, clock, nodeId } = this.components
    const verified = verifyExport(document, { membership: this.membership, verifier: this.components.verifier, federationId: this.init.federationId, nowMs: clock.now() })
    const from = document.participant.id
    if (parseParticipantId(from).node === this.init.siteId) throw new MoveStateError(`${from} is of this site: recover it on another member's node`)
    if (verified.recoveryKey === null) throw new KeyControlError(`${from} has no recovery key in the export ("fedmesh participant recovery-key" makes one before a move)`)
    this.proveKeyControl(participantSignerFromSeeds(parseParticipantKey(recoveryKeyText)), verified.recoveryKey, from, 'recovery key')
    if (keyText !== undefined) this.proveKeyControl(participantSignerFromSeeds(parseParticipantKey(keyText)), verified.publicKey, from, 'key')
    const id = formatParticipantId({ handle: parseParticipantId(from).handle, node: this.init.siteId })
    const previous = await moves.incoming(id)
    const recoveredHere = previous?.redirect !== undefined && previous.from === from && decodeRedirect(decodeBase64(previous.redirect)).redirect.signed_by === 'recovery'
    if (recoveredHere && (previous.status === 'signed' || previous.status === 'hosted')) {
      // run again: finish a publish that failed, or show where it stands
      if (previous.status === 'signed') await this.publishAndHost(previous)
      return await this.moveStatus(id)
    }
    const keyId = participantKeyId(verified.publicKey)
    const now = clock.now()
    // the redirect it overrides: the winner in the DHT now (a stolen-key move), within the recovery window
    const found = await this.redirectFor(from)
    let link = nextRedirectLink(verified.redirects[verified.redirects.length - 1])
    if (found !== undefined) {
      const r = found.redirect
      if (r.key !== keyId) throw new MoveStateError(`the redirect of ${from} in the DHT is for another participant key`)
      if (r.signed_by === 'recovery') throw new MoveStateError(`${from} was already recovered to ${r.to}`)
      if (now - r.issued_at > this.init.recoveryWindowMs) {
        throw new RecoveryWindowError(`the redirect of ${from} to ${r.to} was issued ${Math.round((now - r.issued_at) / 3_600_000)} h ago; a recovery-key redirect overrides one only within ${Math.round(this.init.recoveryWindowMs / 3_600_000)} h of it`)
      }
      link = { seq: r.seq + 1, prev: redirectHash(r) }
    }
    if (await participants.get(id) !== undefined) throw new DuplicateParticipantError(`participant ${id} already exists on this node`)
    const signed = signRedirect({
      redirect: {
        version: REDIRECT_VERSION, federation_id: this.init.federationId, key: keyId, from, to: id,
        ...link, issued_at: now, grace_until: now + this.init.graceMs, signed_by: 'recovery', countersigner: nodeId
      },
      participant: participantSignerFromSeeds(parseParticipantKey(recoveryKeyText)),
      identityKey: verified.publicKey,
      node: this.components.signer,
      home: verified.binding
    })
    const move: IncomingMove = {
      participant: id, from, imported_at: now, status: 'signed', export: document, redirect: encodeBase64(encodeRedirect(signed)),
      ...(keyText === undefined ? {} : { secret: keyText.trim() }),
      note: found === undefined ? 'recovered with the recovery key' : `recovered with the recovery key, overriding the redirect to ${found.redirect.to}`
    }
    await moves.putIncoming(move)
    this.components.logger.info({ participant: id, from, overriding: found?.redirect.to }, 'participant recovery redirect signed')
    await this.publishAndHost(move)
    return await this.moveStatus(id)
  }

  /**
   * New node, hosting: while its redirect is within the recovery window, a
   * recovery-key redirect of the same participant may win over it (the key
   * was stolen); then it stops hosting the participant.
   */
  private async checkOverride (move: IncomingMove): Promise<void> {
    const { moves, participants, clock, logger } = this.components
    if (move.redirect === undefined) return
    const ours = decodeRedirect(decodeBase64(move.redirect)).redirect
    if (ours.signed_by === 'recovery' || clock.now() - ours.issued_at > this.init.recoveryWindowMs) return
    const found = await this.redirectFor(move.from)
    if (found === undefined || found.redirect.signed_by !== 'recovery' || found.redirect.key !== ours.key || found.redirect.to === move.participant) return
    await moves.batch([
      ...participants.removeOperations(move.participant),
      moves.putIncomingOperation({ ...move, status: 'overridden', note: `a recovery-key redirect (seq ${found.redirect.seq}) moved ${move.from} to ${found.redirect.to}: no longer hosted here` })
    ])
    this.components.hostingChanged?.()
    logger.warn({ participant: move.participant, to: found.redirect.to }, 'participant recovered elsewhere with its recovery key: no longer hosted here')
  }

  /** Publishes a signed incoming redirect, then hosts the participant (a crash between leaves it `signed`: the next tick finishes). */
  private async publishAndHost (move: IncomingMove): Promise<void> {
    const { moves, participants, clock } = this.components
    const bytes = decodeBase64(move.redirect!)
    const { redirect } = decodeRedirect(bytes)
    const peers = await this.publish(redirect, bytes)
    if (peers === 0) throw new RedirectPublishError(`the redirect of ${move.from} reached no DHT peer; ${move.participant} is not hosted here yet (the node retries)`)
    const p = move.export.participant
    const record: ParticipantRecord = {
      id: move.participant, offers: p.offers, needs: p.needs, ...(p.weight === undefined ? {} : { weight: p.weight }),
      added_at: clock.now(), public_key: p.public_key, status: 'active',
      ...(p.recovery_key === null ? {} : { recovery_key: p.recovery_key })
    }
    const { secret, ...kept } = move
    await moves.batch([...participants.putOperations(record, secret), moves.putIncomingOperation({ ...kept, status: 'hosted', published_peers: peers })])
    this.components.hostingChanged?.()
    this.components.logger.info({ participant: move.participant, from: move.from, peers }, 'participant moved in')
    await this.acknowledge(redirect, redirect.to)
  }

  /** Puts a redirect under its key hash and its location hash; the peers that took it. */
  private async publish (redirect: Redirect, bytes: Uint8Array): Promise<number> {
    let peers = 0
    for (const key of [redirectKeyOfLocation(redirect.from), redirectKeyOfIdentity(redirect.key)]) {
      try {
        peers += await putRedirect(this.components.dht, key, bytes, { signal: AbortSignal.timeout(REDIRECT_DHT_TIMEOUT_MS) })
      } catch (err) {
        this.components.logger.debug({ err: (err as Error).message, key }, 'redirect not put')
      }
    }
    return peers
  }

  /** The winning valid redirect for a location: from the DHT, or the one this node serves. */
  private async redirectFor (id: string): Promise<{ redirect: Redirect, bytes: Uint8Array } | undefined> {
    const key = redirectKeyOfLocation(id)
    const candidates: Array<{ redirect: Redirect, bytes: Uint8Array }> = []
    const served = await this.components.moves.outgoing(id)
    const values = await lookupRedirects(this.components.dht, key, { signal: AbortSignal.timeout(REDIRECT_DHT_TIMEOUT_MS) })
    if (served?.redirect !== undefined) values.push(decodeBase64(served.redirect))
    for (const bytes of values) {
      try {
        candidates.push({ redirect: validateRedirectRecord(this.dhtInit, key, bytes).redirect, bytes })
      } catch (err) {
        this.components.logger.debug({ err: (err as Error).message, id }, 'redirect refused')
      }
    }
    const best = selectRedirect(candidates.map((c) => c.redirect), this.init.recoveryWindowMs)
    return best < 0 ? undefined : candidates[best]
  }

  async resolve (id: string): Promise<ResolutionView> {
    const start = formatParticipantId(parseParticipantId(id))
    let resolution = startResolution(start)
    for (;;) {
      const found = await this.redirectFor(resolution.current)
      const step = resolutionStep(resolution, found?.redirect)
      resolution = step.resolution
      if (step.done) break
    }
    const first = resolution.hops[0]
    return { id: start, home: resolution.current, ...(first === undefined ? {} : { key: first.key }), hops: resolution.hops.map(view) }
  }

  async moveStatus (id: string): Promise<MoveStatusView> {
    const { moves } = this.components
    const out = await moves.outgoing(id)
    const inc = await moves.incoming(id)
    const redirectView = (text: string | undefined): RedirectView | undefined => (text === undefined ? undefined : view(decodeRedirect(decodeBase64(text)).redirect))
    if (out === undefined && inc === undefined) throw new ParticipantNotFoundError(`no move of ${id} on this node`)
    const outView = out === undefined ? undefined : { to_site: out.to_site, status: out.status, started_at: out.started_at, ...(out.note === undefined ? {} : { note: out.note }), ...(out.redirect === undefined ? {} : { redirect: redirectView(out.redirect)! }) }
    const inView = inc === undefined ? undefined : { from: inc.from, status: inc.status, imported_at: inc.imported_at, ...(inc.redirect === undefined ? {} : { redirect: redirectView(inc.redirect)! }), ...(inc.published_peers === undefined ? {} : { published_peers: inc.published_peers }), ...(inc.note === undefined ? {} : { note: inc.note }) }
    return { participant: id, ...(outView === undefined ? {} : { outgoing: outView }), ...(inView === undefined ? {} : { incoming: inView }) }
  }

  async tick (): Promise<void> {
    // one tick at a time: the timer and a test may both drive it
    await this.ticks.runNow()
  }

  private async tickAlone (): Promise<void> {
    const { moves, logger } = this.components
    let budget = MOVES_PER_TICK_MAX
    for (const move of await moves.allIncoming()) {
      if ((move.status !== 'signed' && move.status !== 'hosted') || budget-- <= 0) continue
      if (move.status === 'hosted') {
        await this.checkOverride(move).catch((err: Error) => { logger.debug({ err: err.message, participant: move.participant }, 'recovery override check failed') })
        continue
      }
      await this.publishAndHost(move).catch((err: Error) => { logger.debug({ err: err.message, participant: move.participant }, 'redirect publish retry failed') })
    }
    for (const move of await moves.allOutgoing()) {
      if (budget-- <= 0) break
      try {
        if (move.status === 'moving') await this.watch(move)
        else await this.serve(move)
      } catch (err) {
        logger.debug({ err: (err as Error).message, participant: move.participant }, 'move step failed')
      }
    }
  }

  /** Old node, moving: once the new node's redirect is in the DHT, stop hosting and serve it. */
  private async watch (move: OutgoingMove): Promise<void> {
    const { moves, participants, logger } = this.components
    const found = await this.redirectFor(move.participant)
    if (found === undefined) return
    const { redirect } = found
    if (redirect.from !== move.participant || parseParticipantId(redirect.to).node !== move.to_site) {
      // a redirect elsewhere (the recovery key's, say): still no longer hosted here
      logger.warn({ participant: move.participant, to: redirect.to, expected: move.to_site }, 'participant redirected elsewhere than its move named')
    }
    await moves.batch([
      ...participants.removeOperations(move.participant),
      moves.putOutgoingOperation({ ...move, status: 'moved', redirect: encodeBase64(found.bytes), grace_until: redirect.grace_until, note: `hosted at ${redirect.to}; this node serves the redirect until grace_until` })
    ])
    this.republishedAt.set(move.participant, this.components.clock.now())
    this.components.hostingChanged?.()
    logger.info({ participant: move.participant, to: redirect.to }, 'participant moved out')
    await this.acknowledge(redirect, redirect.to)
  }

  /** Acknowledges a move this node knows first-hand (the receipt); a failure is logged, the move stands. */
  private async acknowledge (redirect: Redirect, home: string): Promise<void> {
    try {
      await this.components.moved?.({ key: redirect.key, from: redirect.from, seq: redirect.seq, graceUntil: redirect.grace_until }, home)
    } catch (err) {
      this.components.logger.warn({ err: (err as Error).message, participant: redirect.from }, 'acknowledging a move failed')
    }
  }

  /** Old node, moved: republish the redirect until grace_until, then forget it. */
  private async serve (move: OutgoingMove): Promise<void> {
    const now = this.components.clock.now()
    if (move.grace_until === undefined || move.redirect === undefined || now > move.grace_until) {
      await this.components.moves.batch([this.components.moves.deleteOutgoingOperation(move.participant)])
      this.republishedAt.delete(move.participant)
      return
    }
    const last = this.republishedAt.get(move.participant)
    if (last !== undefined && now - last < REDIRECT_REPUBLISH_MS) return
    const bytes = decodeBase64(move.redirect)
    await this.publish(decodeRedirect(bytes).redirect, bytes)
    this.republishedAt.set(move.participant, now)
  }
}

