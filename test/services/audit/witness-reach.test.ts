/**
 * A witness hands its cosignature only to an origin it can dial without a DHT
 * lookup (connected, or an address in its peer store); an origin it has no
 * address for is counted `unreachable` and never dialled, because libp2p would
 * first walk the DHT for it, dialling ~10 other members (docs/sim.md, "Idle:
 * the witnesses' DHT walks"). The service runs on a real AuditLog and witness
 * store; the gossip channel and the host are stand-ins that record calls.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Store } from '../../../src/store/store.ts'
import { AuditLog } from '../../../src/store/audit-log.ts'
import { AuditWitnessStore } from '../../../src/store/audit-witness.ts'
import { auditAppender, AuditService, checkpointOrigin, type AuditComponents } from '../../../src/services/audit/index.ts'
import { encodeAuditPayload, type AuditPayload } from '../../../src/services/audit/payload.ts'
import { signCheckpoint } from '../../../src/core/audit/checkpoint.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { HybridPublicKey } from '../../../src/core/signature.ts'
import type { EnvelopeClass, ValidatedEnvelope } from '../../../src/services/envelopes/index.ts'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { seededRandom } from '../../../src/runtime/random.ts'
import { silentLogger } from '../../../src/runtime/log.ts'

const FEDERATION = 'reach-net'
const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())

async function until (what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

test('a witness dials an origin it holds an address for, and never one it would have to look up in the DHT', async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const log = await AuditLog.open(store)
  const origins = await Promise.all(['stored', 'unknown'].map(async (name) => ({
    id: peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString(),
    signer: hybridSignerFromSeeds({ ed25519Seed: seed(`reach/${name}/ed25519`), mldsaSeed: seed(`reach/${name}/mldsa`) })
  })))
  const [stored, unknown] = origins
  const keys = new Map<string, HybridPublicKey>(origins.map((o) => [o.id, o.signer.publicKey]))
  const dialled: string[] = []
  let audit: EnvelopeClass<AuditPayload> | undefined
  const components = {
    envelopes: { register: (cls: EnvelopeClass<AuditPayload>) => { audit = cls; return cls.dataClass }, seal: () => new Uint8Array(1), publish: async () => {} },
    log,
    witnesses: new AuditWitnessStore(store),
    audit: auditAppender(log, store),
    signer: hybridSignerFromSeeds({ ed25519Seed: seed('reach/self/ed25519'), mldsaSeed: seed('reach/self/mldsa') }),
    verifier: hybridVerifier(),
    // three members: under the witnesses-per-checkpoint default, every member witnesses every checkpoint
    members: { key: (id: string) => keys.get(id), members: () => [...keys.keys(), 'self'] },
    random: seededRandom(seed('reach/random')),
    streams: {
      handle: async () => {},
      unhandle: async () => {},
      getConnections: () => [],
      peerStore: {
        get: async (peer: { toString: () => string }) => {
          if (peer.toString() === stored.id) return { addresses: [{ multiaddr: '/memory/stored', isCertified: false }] }
          throw Object.assign(new Error('peer not found'), { name: 'NotFoundError' })
        }
      },
      dialProtocol: async (peer: { toString: () => string }) => {
        dialled.push(peer.toString())
        throw new Error('the origin refused the connection')
      }
    },
    clock: clockFrom(() => 1_700_000_000_000),
    logger: silentLogger(),
    nodeId: 'self'
  } as unknown as AuditComponents
  const service = new AuditService(components, { federationId: FEDERATION, checkpointIntervalMs: 0 })
  await service.start()
  t.teardown(async () => { await service.stop() })

  // each origin's first checkpoint, gossiped by the origin itself: the witness cosigns it (no proof needed)
  for (const origin of origins) {
    const checkpoint = signCheckpoint(origin.signer, { origin: checkpointOrigin(FEDERATION, origin.id), size: 1, root: seed(`root/${origin.id}`) })
    const envelope = { source: origin.id } as unknown as ValidatedEnvelope
    const payload = audit!.decodePayload(encodeAuditPayload({ kind: 'checkpoint', checkpoint }), envelope)
    const after = await audit!.commit(payload, envelope, async () => {}, undefined)
    void after?.()
  }
  await until('both cosignatures handled', () => Object.values(service.cosignatureStats().sent).reduce((a, b) => a + b, 0) === 2)
  t.deepEqual(service.cosignatureStats().sent, { dropped: 1, unreachable: 1 })
  t.deepEqual(dialled, [stored.id], 'only the origin with a stored address was dialled')
  t.false(dialled.includes(unknown.id))
})
