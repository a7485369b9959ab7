import test from 'ava'
import {
  formatParticipantKey, parseParticipantKey, participantSigner, InvalidParticipantKeyError, type ParticipantKeySeeds
} from '../../../src/core/identity/participant-keys.ts'
import { generateParticipantSeeds, participantSignerFromSeeds, signerFromSeeds } from '../../../src/crypto/participant-keys.ts'
import { hybridVerifier } from '../../../src/crypto/hybrid.ts'

const seeds: ParticipantKeySeeds = { ed25519Seed: new Uint8Array(32).fill(11), mldsaSeed: new Uint8Array(32).fill(12), level: 65 }

test('the same seeds give the same participant key on any node and either backend', (t) => {
  const native = participantSigner(seeds, signerFromSeeds('native'))
  const noble = participantSigner(seeds, signerFromSeeds('noble'))
  t.deepEqual(native.publicKey, noble.publicKey)
  const message = new Uint8Array([1])
  t.true(hybridVerifier('noble').verify(native.publicKey, message, native.sign(message)))
})

test('a participant key string round-trips and keeps the level', (t) => {
  const text = formatParticipantKey({ ...seeds, level: 87 })
  t.regex(text, /^fedmesh-participant-key:1:87:[A-Za-z0-9_-]+$/)
  t.deepEqual(parseParticipantKey(text), { ...seeds, level: 87 })
  t.deepEqual(parseParticipantKey(`  ${text}\n`), { ...seeds, level: 87 })
})

test('fresh participant seeds are random, 32 bytes each, and make a working signer', (t) => {
  const a = generateParticipantSeeds()
  const b = generateParticipantSeeds(44)
  t.is(a.ed25519Seed.length, 32)
  t.notDeepEqual(a.ed25519Seed, b.ed25519Seed)
  t.is(participantSignerFromSeeds(b).publicKey.mldsaLevel, 44)
  t.deepEqual(parseParticipantKey(formatParticipantKey(a)), a)
})

test('a malformed participant key string is an InvalidParticipantKeyError', (t) => {
  const good = formatParticipantKey(seeds)
  const [prefix, version, level, body] = good.split(':') as [string, string, string, string]
  for (const bad of [
    '', 'nonsense', `${prefix}:2:${level}:${body}`, `${prefix}:${version}:66:${body}`, `${prefix}:${version}:${level}:${body.slice(0, -2)}`,
    `${prefix}:${version}:${level}:${body}AA`, `${prefix}:${version}:${level}:${body.slice(0, -1)}+`, `other:${version}:${level}:${body}`
  ]) {
    t.throws(() => parseParticipantKey(bad), { instanceOf: InvalidParticipantKeyError }, bad)
  }
  t.throws(() => participantSigner({ ...seeds, mldsaSeed: new Uint8Array(31) }, signerFromSeeds()), { instanceOf: InvalidParticipantKeyError })
  t.throws(() => formatParticipantKey({ ...seeds, level: 50 as 65 }), { instanceOf: InvalidParticipantKeyError })
})
