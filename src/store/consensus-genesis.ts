/**
 * Genesis ceremony files on disk: the genesis (draft or signed), founder
 * entries and signature files. Every file is read only when it is a regular
 * file under its size bound; each member's node id must be the peer id of its
 * Ed25519 key; a signed genesis must carry every founder's valid signature.
 */
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { fromString } from 'uint8arrays'
import { InputError } from '../core/errors.ts'
import type { SignatureVerifier } from '../core/signature.ts'
import {
  GENESIS_FILE_BYTES_MAX, GENESIS_SIGNATURE_FILE_BYTES_MAX, GenesisFormatError, parseGenesis, parseGenesisSignatureFile, verifyGenesis,
  type GenesisDocument, type GenesisSignatureFile
} from '../core/consensus/genesis.ts'
import { FOUNDER_ENTRY_BYTES_MAX, parseFounderEntry, verifyFounderEntry, type FounderEntry } from '../core/consensus/founder-entry.ts'
import type { MemberJson } from '../core/consensus/member.ts'
import type { Store } from './store.ts'
import type { Membership } from '../core/consensus/membership.ts'
import type { ConsensusPolicy } from '../core/consensus/threshold.ts'

/** A member's node id is not the libp2p peer id of its Ed25519 public key. */
export class GenesisNodeIdError extends InputError {
  static override readonly code = 'GenesisNodeIdError'
  override readonly name = 'GenesisNodeIdError'
}

export class GenesisFileError extends InputError {
  static override readonly code = 'GenesisFileError'
  override readonly name = 'GenesisFileError'
}

/** A genesis file that passed every check. */
export interface LoadedGenesis {
  file: string
  document: GenesisDocument
  membership: Membership
  policy: ConsensusPolicy
}

/** Throws GenesisNodeIdError unless the member's node id is the peer id of its Ed25519 key. */
export function checkMemberNodeId (member: MemberJson, source = 'genesis member'): void {
  const peerId = peerIdFromPublicKey(publicKeyFromRaw(fromString(member.public_key.ed25519, 'base64pad'))).toString()
  if (peerId !== member.node_id) {
    throw new GenesisNodeIdError(`${source} ${member.node_id}: its Ed25519 key belongs to peer ${peerId}`)
  }
}

/** Throws GenesisNodeIdError unless each member's node id is the peer id of its Ed25519 key. */
export function checkGenesisNodeIds (document: GenesisDocument): void {
  for (const member of document.members) checkMemberNodeId(member)
}

/** A path resolved from `baseDir` unless absolute. */
function resolvePath (path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path)
}

/** Reads a ceremony file: a regular file (not /dev/zero, not a FIFO) of at most `bytesMax` bytes, as UTF-8. */
export async function readCeremonyFile (file: string, bytesMax: number, what: string): Promise<string> {
  let size: number
  try {
    const info = await stat(file)
    // only a regular file: /dev/zero or a FIFO has no size to check and would be read without end
    if (!info.isFile()) throw new GenesisFileError(`${what} ${file} is not a regular file`)
    size = info.size
  } catch (err) {
    if (err instanceof GenesisFileError) throw err
    throw new GenesisFileError(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err })
  }
  if (size > bytesMax) throw new GenesisFormatError(`${what} ${file} is ${size} bytes, over ${bytesMax}`)
  return await readFile(file, 'utf8')
}

/** Reads and parses a genesis file without checking signatures (a draft being signed, or one to report on); node ids checked. */
export async function readGenesisFile (path: string, baseDir: string = process.cwd()): Promise<{ file: string, document: GenesisDocument }> {
  const file = resolvePath(path, baseDir)
  const document = parseGenesis(await readCeremonyFile(file, GENESIS_FILE_BYTES_MAX, 'genesis file'))
  checkGenesisNodeIds(document)
  return { file, document }
}

/** Reads, parses and verifies a genesis file; relative paths resolve from `baseDir`. */
export async function loadGenesisFile (path: string, verifier: SignatureVerifier, baseDir: string = process.cwd()): Promise<LoadedGenesis> {
  const { file, document } = await readGenesisFile(path, baseDir)
  const { membership, policy } = verifyGenesis(document, verifier)
  return { file, document, membership, policy }
}

/** Reads a founder entry file: parsed, node id bound to its key, self-signature verified. */
export async function loadFounderEntryFile (path: string, verifier: SignatureVerifier, baseDir: string = process.cwd()): Promise<{ file: string, entry: FounderEntry }> {
  const file = resolvePath(path, baseDir)
  const entry = parseFounderEntry(await readCeremonyFile(file, FOUNDER_ENTRY_BYTES_MAX, 'founder entry'), `founder entry ${file}`)
  checkFounderEntry(entry, verifier, `founder entry ${file}`)
  return { file, entry }
}

/** Checks a parsed founder entry: its node id is its key's peer id, and its self-signature verifies. */
export function checkFounderEntry (entry: FounderEntry, verifier: SignatureVerifier, source = 'founder entry'): void {
  checkMemberNodeId(entry.member, source)
  verifyFounderEntry(entry, verifier, source)
}

/** Reads a genesis signature file (parsed; `combineGenesisSignatures` checks it against the genesis). */
export async function loadGenesisSignatureFile (path: string, baseDir: string = process.cwd()): Promise<{ file: string, signature: GenesisSignatureFile }> {
  const file = resolvePath(path, baseDir)
  return { file, signature: parseGenesisSignatureFile(await readCeremonyFile(file, GENESIS_SIGNATURE_FILE_BYTES_MAX, 'signature file'), `signature file ${file}`) }
}

/** The genesis draft this node signed, kept until a genesis is loaded: its founders are the only peers admitted meanwhile. */
export interface GenesisDraftRecord {
  federation_id: string
  /** `genesisDigest` of the draft */
  digest: string
  /** the founders' PeerIds */
  founders: string[]
}

const GENESIS_DRAFT_SUBLEVEL = 'genesis-draft'
const GENESIS_DRAFT_KEY = 'draft'

/** Records the draft being signed (replacing an earlier one). */
export async function saveGenesisDraft (store: Store, draft: GenesisDraftRecord): Promise<void> {
  await store.sublevel<GenesisDraftRecord>(GENESIS_DRAFT_SUBLEVEL).put(GENESIS_DRAFT_KEY, draft)
}

/** The draft being signed, if any. */
export async function genesisDraft (store: Store): Promise<GenesisDraftRecord | undefined> {
  return await store.sublevel<GenesisDraftRecord>(GENESIS_DRAFT_SUBLEVEL).get(GENESIS_DRAFT_KEY)
}
