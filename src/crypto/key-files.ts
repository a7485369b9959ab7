/**
 * A node's key files in its data dir, both owner-only (0600):
 *
 * - `node.key`: the libp2p Ed25519 private key, libp2p's protobuf encoding
 *   (`privateKeyToProtobuf`), so libp2p tooling reads it unchanged. Its seed is
 *   also the Ed25519 half of the node's hybrid signer, so the PeerId vouches
 *   for the node's Ed25519 signatures.
 * - `mldsa.key`: the ML-DSA key as its seed, 38 bytes:
 *   `"FMDK"` (4 bytes ASCII) · format version `1` (1 byte) · level `44|65|87`
 *   (1 byte) · the 32-byte FIPS 204 seed ξ. A seed, not the expanded key: it is
 *   what both ML-DSA implementations expand identically, and it is small.
 *
 * Files are written to a temporary name and renamed, so a crash never leaves
 * a half-written key behind.
 */
import { chmod, open, readFile, rename, stat } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { generateKeyPairFromSeed, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { HybridSigner, MlDsaLevel } from '../core/signature.ts'
import { InputError } from '../core/errors.ts'
import { hybridSignerFromSeeds } from './hybrid.ts'
import { isMlDsaLevel, ML_DSA_LEVEL_DEFAULT, ML_DSA_SEED_BYTES, UnknownMlDsaLevelError, type MlDsaBackendName } from './mldsa.ts'
import { ED25519_SEED_BYTES } from './ed25519.ts'

export const NODE_KEY_FILE_NAME = 'node.key'
export const MLDSA_KEY_FILE_NAME = 'mldsa.key'
/** Key files are readable and writable by their owner only. */
export const KEY_FILE_MODE = 0o600

const MLDSA_KEY_MAGIC = Buffer.from('FMDK', 'ascii')
const MLDSA_KEY_FORMAT_VERSION = 1
export const MLDSA_KEY_FILE_BYTES = MLDSA_KEY_MAGIC.length + 2 + ML_DSA_SEED_BYTES
/** Bigger than any libp2p Ed25519 protobuf key (68 bytes): anything larger is not ours. */
const NODE_KEY_FILE_BYTES_MAX = 1024

export class KeyFileExistsError extends InputError {
  static override readonly code = 'KeyFileExistsError'
  override readonly name = 'KeyFileExistsError'
}

export class KeyFileMissingError extends InputError {
  static override readonly code = 'KeyFileMissingError'
  override readonly name = 'KeyFileMissingError'
}

export class KeyFileCorruptError extends InputError {
  static override readonly code = 'KeyFileCorruptError'
  override readonly name = 'KeyFileCorruptError'
}

export class KeyFilePermissionsError extends InputError {
  static override readonly code = 'KeyFilePermissionsError'
  override readonly name = 'KeyFilePermissionsError'
}

/** Options of `createNodeKeyFiles`. */
export interface CreateNodeKeyFilesOptions {
  /** ML-DSA parameter set, 65 by default */
  mldsaLevel?: MlDsaLevel
  /** replace existing key files (the node gets a new identity) */
  force?: boolean
}

/** Options of `loadNodeKeys`. */
export interface LoadNodeKeysOptions {
  /** forces an ML-DSA implementation for the signer */
  backend?: MlDsaBackendName
}

/** The keys a node runs with. */
export interface NodeKeys {
  /** libp2p Ed25519 private key, for `createLibp2p({ privateKey })` */
  privateKey: PrivateKey
  /** hybrid signer whose Ed25519 half is `privateKey` */
  signer: HybridSigner
}

/** Encodes an ML-DSA key file body. */
export function encodeMlDsaKeyFile (level: MlDsaLevel, seed: Uint8Array): Uint8Array {
  if (!isMlDsaLevel(level)) throw new KeyFileCorruptError(`ML-DSA level must be 44, 65 or 87, got ${String(level)}`)
  if (seed.length !== ML_DSA_SEED_BYTES) throw new KeyFileCorruptError(`an ML-DSA seed must be ${ML_DSA_SEED_BYTES} bytes`)
  return new Uint8Array(Buffer.concat([MLDSA_KEY_MAGIC, Buffer.from([MLDSA_KEY_FORMAT_VERSION, level]), seed]))
}

/** Decodes an ML-DSA key file body; throws `KeyFileCorruptError` on anything else. */
export function decodeMlDsaKeyFile (bytes: Uint8Array, fileName = MLDSA_KEY_FILE_NAME): { level: MlDsaLevel, seed: Uint8Array } {
  if (bytes.length !== MLDSA_KEY_FILE_BYTES) throw new KeyFileCorruptError(`${fileName}: expected ${MLDSA_KEY_FILE_BYTES} bytes, found ${bytes.length}`)
  if (!Buffer.from(bytes.subarray(0, MLDSA_KEY_MAGIC.length)).equals(MLDSA_KEY_MAGIC)) throw new KeyFileCorruptError(`${fileName}: not a fedmesh ML-DSA key file (bad magic)`)
  const version = bytes[4]
  if (version !== MLDSA_KEY_FORMAT_VERSION) throw new KeyFileCorruptError(`${fileName}: unsupported format version ${String(version)}`)
  const level = bytes[5]
  if (!isMlDsaLevel(level)) throw new KeyFileCorruptError(`${fileName}: unknown ML-DSA level ${String(level)}`)
  return { level, seed: bytes.slice(6) }
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function writeSecretFile (path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`
  const handle = await open(temporary, 'w', KEY_FILE_MODE)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  // the mode argument applies only on creation and under the umask: set it exactly
  await chmod(temporary, KEY_FILE_MODE)
  await rename(temporary, path)
}

/** Creates `node.key` and `mldsa.key` in `dataDir` from fresh randomness; refuses to overwrite unless `force`. */
export async function createNodeKeyFiles (dataDir: string, options: CreateNodeKeyFilesOptions = {}): Promise<void> {
  const level = options.mldsaLevel ?? ML_DSA_LEVEL_DEFAULT
  if (!isMlDsaLevel(level)) throw new UnknownMlDsaLevelError(`ML-DSA level must be 44, 65 or 87, got ${String(level)}`)
  const nodeKeyPath = join(dataDir, NODE_KEY_FILE_NAME)
  const mldsaKeyPath = join(dataDir, MLDSA_KEY_FILE_NAME)
  if (options.force !== true) {
    for (const path of [nodeKeyPath, mldsaKeyPath]) {
      if (await exists(path)) throw new KeyFileExistsError(`${path} already exists; refusing to replace the node's identity without force`)
    }
  }
  const privateKey = await generateKeyPairFromSeed('Ed25519', randomBytes(ED25519_SEED_BYTES))
  await writeSecretFile(mldsaKeyPath, encodeMlDsaKeyFile(level, randomBytes(ML_DSA_SEED_BYTES)))
  await writeSecretFile(nodeKeyPath, privateKeyToProtobuf(privateKey))
}

async function readKeyFile (path: string, bytesMax: number): Promise<Uint8Array> {
  let info
  try {
    info = await stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KeyFileMissingError(`${path} does not exist; run \`fedmesh init\` first`)
    throw err
  }
  if (!info.isFile()) throw new KeyFileCorruptError(`${path} is not a regular file`)
  // group/other bits: a key others can read is a leaked key; refuse it loudly (POSIX only)
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new KeyFilePermissionsError(`${path} has mode ${(info.mode & 0o777).toString(8)}; key files must be 600 (chmod 600 ${path})`)
  }
  if (info.size > bytesMax) throw new KeyFileCorruptError(`${path} is ${info.size} bytes, larger than any key file`)
  return new Uint8Array(await readFile(path))
}

/** Loads the node's libp2p key and hybrid signer from `dataDir`. */
export async function loadNodeKeys (dataDir: string, options: LoadNodeKeysOptions = {}): Promise<NodeKeys> {
  const nodeKeyPath = join(dataDir, NODE_KEY_FILE_NAME)
  const mldsaKeyPath = join(dataDir, MLDSA_KEY_FILE_NAME)
  const nodeKeyBytes = await readKeyFile(nodeKeyPath, NODE_KEY_FILE_BYTES_MAX)
  let privateKey
  try {
    privateKey = privateKeyFromProtobuf(nodeKeyBytes)
  } catch (err) {
    throw new KeyFileCorruptError(`${nodeKeyPath} is not a libp2p private key (${(err as Error).message})`)
  }
  if (privateKey.type !== 'Ed25519') throw new KeyFileCorruptError(`${nodeKeyPath} holds a ${privateKey.type} key; fedmesh nodes use Ed25519`)
  const { level, seed } = decodeMlDsaKeyFile(await readKeyFile(mldsaKeyPath, MLDSA_KEY_FILE_BYTES), mldsaKeyPath)
  // libp2p's raw Ed25519 private key is seed ‖ public key
  const ed25519Seed = privateKey.raw.subarray(0, ED25519_SEED_BYTES)
  const signer = hybridSignerFromSeeds({ ed25519Seed, mldsaSeed: seed, level, ...(options.backend === undefined ? {} : { backend: options.backend }) })
  if (!Buffer.from(signer.publicKey.ed25519).equals(Buffer.from(privateKey.publicKey.raw))) {
    throw new KeyFileCorruptError(`${nodeKeyPath}: the Ed25519 public key does not match its seed`)
  }
  return { privateKey, signer }
}

