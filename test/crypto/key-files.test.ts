import test from 'ava'
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  createNodeKeyFiles, loadNodeKeys, decodeMlDsaKeyFile, encodeMlDsaKeyFile, MLDSA_KEY_FILE_NAME, NODE_KEY_FILE_NAME,
  KeyFileCorruptError, KeyFileExistsError, KeyFileMissingError, KeyFilePermissionsError
} from '../../src/crypto/key-files.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'
import { UnknownMlDsaLevelError } from '../../src/crypto/mldsa.ts'

const freshDir = async (): Promise<string> => await mkdtemp(join(tmpdir(), 'fedmesh-keys-'))

test('key files are created owner-only (0600) and round-trip to a working signer', async (t) => {
  const dir = await freshDir()
  await createNodeKeyFiles(dir)
  for (const name of [NODE_KEY_FILE_NAME, MLDSA_KEY_FILE_NAME]) {
    t.is((await stat(join(dir, name))).mode & 0o777, 0o600, name)
  }
  const first = await loadNodeKeys(dir)
  const second = await loadNodeKeys(dir)
  t.deepEqual(first.signer.publicKey, second.signer.publicKey)
  t.is(first.signer.publicKey.mldsaLevel, 65)
  const message = new Uint8Array([1, 2, 3])
  t.true(hybridVerifier().verify(first.signer.publicKey, message, second.signer.sign(message)))
})

test('the PeerId from node.key is the Ed25519 half of the signer', async (t) => {
  const dir = await freshDir()
  await createNodeKeyFiles(dir)
  const { privateKey, signer } = await loadNodeKeys(dir)
  t.deepEqual(signer.publicKey.ed25519, privateKey.publicKey.raw)
  const peerId = peerIdFromPrivateKey(privateKey)
  t.deepEqual(peerId.publicKey?.raw, signer.publicKey.ed25519)
  // a libp2p signature by the node key verifies as the Ed25519 half of a hybrid signature
  const message = new Uint8Array([9, 9])
  const libp2pSignature = await privateKey.sign(message)
  t.deepEqual(new Uint8Array(libp2pSignature), signer.sign(message).ed25519)
})

test('the ML-DSA level is kept in the key file', async (t) => {
  const dir = await freshDir()
  await createNodeKeyFiles(dir, { mldsaLevel: 44 })
  t.is((await loadNodeKeys(dir)).signer.publicKey.mldsaLevel, 44)
  t.is((await readFile(join(dir, MLDSA_KEY_FILE_NAME))).length, 38)
})

test('existing key files are not overwritten unless forced', async (t) => {
  const dir = await freshDir()
  await createNodeKeyFiles(dir)
  const before = await loadNodeKeys(dir)
  await t.throwsAsync(createNodeKeyFiles(dir), { instanceOf: KeyFileExistsError })
  t.deepEqual((await loadNodeKeys(dir)).signer.publicKey, before.signer.publicKey)
  await createNodeKeyFiles(dir, { force: true })
  t.notDeepEqual((await loadNodeKeys(dir)).signer.publicKey.ed25519, before.signer.publicKey.ed25519)
})

test('a missing key file is a KeyFileMissingError', async (t) => {
  const dir = await freshDir()
  await t.throwsAsync(loadNodeKeys(dir), { instanceOf: KeyFileMissingError })
  await createNodeKeyFiles(dir)
  await writeFile(join(dir, 'other'), '')
  const { rm } = await import('node:fs/promises')
  await rm(join(dir, MLDSA_KEY_FILE_NAME))
  await t.throwsAsync(loadNodeKeys(dir), { instanceOf: KeyFileMissingError })
})

test('a key file readable by others is refused with KeyFilePermissionsError', async (t) => {
  const dir = await freshDir()
  await createNodeKeyFiles(dir)
  await chmod(join(dir, MLDSA_KEY_FILE_NAME), 0o644)
  const err = await t.throwsAsync(loadNodeKeys(dir), { instanceOf: KeyFilePermissionsError })
  t.regex(err.message, /chmod 600/)
})

test('corrupt key files are a KeyFileCorruptError', async (t) => {
  const dir = await freshDir()
  await createNodeKeyFiles(dir)
  const good = await readFile(join(dir, MLDSA_KEY_FILE_NAME))
  const corruptions: Array<[string, Uint8Array]> = [
    [NODE_KEY_FILE_NAME, new Uint8Array([1, 2, 3])],
    [MLDSA_KEY_FILE_NAME, good.subarray(0, 37)],
    [MLDSA_KEY_FILE_NAME, Buffer.concat([good, Buffer.from([0])])],
    [MLDSA_KEY_FILE_NAME, Buffer.concat([Buffer.from('XXXX'), good.subarray(4)])],
    [MLDSA_KEY_FILE_NAME, Buffer.concat([good.subarray(0, 4), Buffer.from([2]), good.subarray(5)])],
    [MLDSA_KEY_FILE_NAME, Buffer.concat([good.subarray(0, 5), Buffer.from([66]), good.subarray(6)])]
  ]
  for (const [name, bytes] of corruptions) {
    const broken = await freshDir()
    await createNodeKeyFiles(broken)
    await writeFile(join(broken, name), bytes, { mode: 0o600 })
    await t.throwsAsync(loadNodeKeys(broken), { instanceOf: KeyFileCorruptError }, `${name} ${bytes.length} bytes`)
  }
})

test('the ML-DSA key file format round-trips and rejects bad levels', (t) => {
  const seed = new Uint8Array(32).fill(5)
  t.deepEqual(decodeMlDsaKeyFile(encodeMlDsaKeyFile(87, seed)), { level: 87, seed })
  t.throws(() => encodeMlDsaKeyFile(50 as 65, seed), { instanceOf: KeyFileCorruptError })
  t.throws(() => encodeMlDsaKeyFile(65, seed.subarray(1)), { instanceOf: KeyFileCorruptError })
})

test('an unknown ML-DSA level writes no key files', async (t) => {
  const dir = await freshDir()
  await t.throwsAsync(createNodeKeyFiles(dir, { mldsaLevel: 66 as 65 }), { instanceOf: UnknownMlDsaLevelError })
  await t.throwsAsync(loadNodeKeys(dir), { instanceOf: KeyFileMissingError })
})
