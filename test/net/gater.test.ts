import test from 'ava'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { MultiaddrConnection } from '@libp2p/interface'
import { fedmeshConnectionGater, PendingInbound } from '../../src/net/gater.ts'

const conn = (address: string): MultiaddrConnection => ({ remoteAddr: multiaddr(address) }) as unknown as MultiaddrConnection

test('an IP no member was seen at holds at most perIpMax connections in their upgrade; the encrypted stage releases a slot', async (t) => {
  const pending = new PendingInbound({ perIpMax: 3, holdMs: 60_000 })
  const member = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const outsider = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const gater = fedmeshConnectionGater({ federationEnabled: true, admits: (id) => id === member.toString(), pending, memberAddress: (ip) => ip === '10.0.0.9' })
  const held = [1, 2, 3].map((port) => conn(`/ip4/10.0.0.1/tcp/${port}`))
  for (const c of held) t.false(await gater.denyInboundConnection!(c))
  t.true(await gater.denyInboundConnection!(conn('/ip4/10.0.0.1/tcp/4')), 'the fourth from that IP is refused before any handshake')
  t.false(await gater.denyInboundConnection!(conn('/ip4/10.0.0.2/tcp/1')), 'another IP has its own budget')
  t.false(await gater.denyInboundConnection!(conn('/ip4/10.0.0.9/tcp/1')), 'a member\'s IP is not limited')
  t.false(await gater.denyInboundConnection!(conn('/memory/x')), 'non-IP transports are not limited')
  // a connection reaching the encrypted stage (libp2p passes a copy with the same remoteAddr) frees its slot
  t.true(await gater.denyInboundEncryptedConnection!(outsider, { ...held[0]! } as MultiaddrConnection), 'an outsider is refused right after the handshake')
  t.is(pending.count('10.0.0.1'), 2)
  t.false(await gater.denyInboundConnection!(conn('/ip4/10.0.0.1/tcp/5')))
  t.false(await gater.denyInboundEncryptedConnection!(member, { ...held[1]! } as MultiaddrConnection), 'a member passes')
  t.true(await gater.denyInboundUpgradedConnection!(outsider, held[2]!))
  t.true(await gater.denyDialPeer!(outsider))
  t.false(await gater.denyDialPeer!(member))
  t.is(pending.refused, 1)
})

test('a slot is freed after holdMs (the upgrade timeout) even if the connection never reaches the encrypted stage', async (t) => {
  const pending = new PendingInbound({ perIpMax: 1, holdMs: 20 })
  t.not(pending.take('10.0.0.1'), undefined)
  t.is(pending.take('10.0.0.1'), undefined)
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.is(pending.count('10.0.0.1'), 0)
  t.not(pending.take('10.0.0.1'), undefined)
})

test('air-gapped: everything is refused at every stage', async (t) => {
  const gater = fedmeshConnectionGater({ federationEnabled: false, admits: () => true })
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  t.true(await gater.denyInboundConnection!(conn('/ip4/10.0.0.1/tcp/1')))
  t.true(await gater.denyDialPeer!(peer))
  t.true(await gater.denyInboundUpgradedConnection!(peer, conn('/ip4/10.0.0.1/tcp/1')))
})
