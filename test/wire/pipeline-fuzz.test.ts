import test from 'ava'
import { validateEnvelope, ReplayCache } from '../../src/wire/pipeline.ts'
import { EnvelopeError, ENVELOPE_ERROR_CODES } from '../../src/wire/errors.ts'
import { decodeEnvelope, DATA_CLASSES, PRIORITIES, ENVELOPE_SIGNING_DOMAIN } from '../../src/wire/envelope.ts'
import { EnvelopeBody, SignedEnvelope, DataClass as WireDataClass, Priority as WirePriority } from '../../protocols/envelope.ts'
import { CLOCK_SKEW_MS_MAX } from '../../src/wire/limits.ts'
import { contextFor, envelopeFrom, testNode, NOW_MS } from './fixtures.ts'

const FUZZ_CASES = 12_000

/** mulberry32: a tiny seeded PRNG, so a failing seed replays exactly. */
function prng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

test('fuzz: seeded random and mutated envelopes are each accepted or refused with a reason code, never anything else', (t) => {
  const seed = Number(process.env.FEDMESH_FUZZ_SEED ?? Date.now() % 2 ** 32)
  t.log(`seed ${seed} (replay with FEDMESH_FUZZ_SEED=${seed})`)
  const random = prng(seed)
  const int = (below: number): number => Math.floor(random() * below)
  const bytesOf = (length: number): Uint8Array => Uint8Array.from({ length }, () => int(256))
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!

  const members = [testNode(0), testNode(1, 44)]
  const outsider = testNode(2)
  const senders = [...members, outsider]
  // a pool of originals, varied in every field, signed once (signing is the slow part)
  const originals = Array.from({ length: 40 }, () => {
    const sender = pick(senders)
    return envelopeFrom(sender, {
      timestampMs: NOW_MS + int(4 * CLOCK_SKEW_MS_MAX) - 2 * CLOCK_SKEW_MS_MAX,
      dataClass: pick(DATA_CLASSES),
      priority: pick(PRIORITIES),
      federationId: random() < 0.8 ? 'grid' : 'other',
      ttl: 1 + int(4),
      hops: int(5),
      payload: bytesOf(int(300))
    })
  })
  // validly signed by a member, but with random field values straight into the protobuf body: only the
  // schema checks stand between these and acceptance
  const member = members[0]!
  const randomText = (): string => {
    const alphabets = ['abcdefghij0123456789', 'ABCxyz._-/ ', '\u00e9\u4e2d\u0000\n', '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz']
    const alphabet = pick(alphabets)
    return Array.from({ length: pick([0, 1, 5, 40, 64, 65, 101, 129, 257]) }, () => alphabet[int(alphabet.length)]).join('')
  }
  const wireClasses = Object.values(WireDataClass).filter((value) => typeof value === 'string') as WireDataClass[]
  const wirePriorities = Object.values(WirePriority).filter((value) => typeof value === 'string') as WirePriority[]
  const resigned = Array.from({ length: 120 }, () => {
    const body = EnvelopeBody.encode({
      version: pick([0, 1, 1, 1, 2]),
      id: bytesOf(pick([0, 15, 16, 16, 17])),
      timestampMs: BigInt(pick([0, NOW_MS, NOW_MS, Number.MAX_SAFE_INTEGER])) + (random() < 0.1 ? 2n ** 60n : 0n),
      source: random() < 0.5 ? member.peerId : randomText(),
      destination: random() < 0.5 ? '/fedmesh/grid/vote/1' : randomText(),
      federationId: random() < 0.5 ? 'grid' : randomText(),
      ttl: pick([0, 1, 8, 16, 17, 2 ** 31]),
      dataClass: pick(wireClasses),
      priority: pick(wirePriorities),
      schemaId: random() < 0.5 ? 'fedmesh.vote/1' : randomText(),
      contentType: random() < 0.5 ? 'application/json' : randomText(),
      payload: bytesOf(int(64))
    })
    const signature = member.signer.sign(new Uint8Array([...ENVELOPE_SIGNING_DOMAIN, ...body]))
    return SignedEnvelope.encode({ body, ed25519Signature: signature.ed25519, mldsaSignature: signature.mldsa, hops: int(3) })
  })
  originals.push(...resigned)
  const originalBodies = new Set(originals.flatMap((bytes) => {
    try { return [Buffer.from(decodeEnvelope(bytes).signedBytes).toString('base64')] } catch { return [] }
  }))

  const mutate = (input: Uint8Array): Uint8Array => {
    const bytes = input.slice()
    switch (int(7)) {
      case 0: { const flips = 1 + int(4); for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8); return bytes }
      case 1: return bytes.subarray(0, int(bytes.length))
      case 2: return Uint8Array.from([...bytes, ...bytesOf(1 + int(16))])
      case 3: { const at = int(bytes.length); bytes.set(bytesOf(Math.min(8, bytes.length - at)), at); return bytes }
      case 4: return bytesOf(int(512))
      case 5: { const at = int(bytes.length); return Uint8Array.from([...bytes.subarray(0, at), ...bytesOf(1 + int(4)), ...bytes.subarray(at)]) }
      default: return bytes // unmodified: exercises accept, duplicate and the time checks
    }
  }

  const codes = new Map<string, number>()
  let accepted = 0
  let context = contextFor(members, { replay: new ReplayCache({ entriesMax: 64 }) })
  for (let index = 0; index < FUZZ_CASES; index++) {
    if (index % 500 === 0) context = contextFor(members, { replay: new ReplayCache({ entriesMax: 64 }) })
    const bytes = mutate(pick(originals))
    try {
      const validated = validateEnvelope(bytes, context)
      accepted++
      // nothing is accepted unless its signed bytes are exactly an original's: no forgery gets through
      const signedBase64 = Buffer.from(decodeEnvelope(bytes).signedBytes).toString('base64')
      if (!originalBodies.has(signedBase64)) t.fail(`case ${index}: accepted signed bytes that no member signed`)
      if (validated.source === outsider.peerId) t.fail(`case ${index}: accepted an envelope from a non-member`)
      // an independent, naive oracle of what an accepted envelope must look like
      const plausible = validated.version === 1 && validated.id.length === 16 && validated.federationId === 'grid' &&
        validated.ttl >= 1 && validated.ttl <= 16 && validated.hops <= validated.ttl &&
        Math.abs(validated.timestampMs - NOW_MS) <= CLOCK_SKEW_MS_MAX && /^[a-z0-9._\/-]+$/.test(validated.schemaId) &&
        /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(validated.contentType) && validated.destination.length <= 256 && !validated.destination.includes(' ')
      if (!plausible) t.fail(`case ${index}: accepted an envelope outside the schema: ${JSON.stringify({ ...validated, payload: undefined, sourceKey: undefined })}`)
    } catch (err) {
      if (!(err instanceof EnvelopeError)) {
        t.fail(`case ${index}: ${String(err)} escaped the pipeline (seed ${seed})`)
        return
      }
      if (!(ENVELOPE_ERROR_CODES as readonly string[]).includes(err.code)) t.fail(`case ${index}: unknown code ${err.code}`)
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1)
    }
  }
  t.log(`accepted ${accepted}; refused by code: ${[...codes].sort().map(([code, count]) => `${code} ${count}`).join(', ')}`)
  t.true(accepted > 0, 'some envelopes are accepted')
  t.true((codes.get('bad_signature') ?? 0) > 0 && (codes.get('malformed') ?? 0) > 0 && (codes.get('schema') ?? 0) > 0, 'the mutations reach the decoder, the schema checks and the verifier')
})
