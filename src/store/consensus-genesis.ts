/**
 * Loading a genesis file from disk: read (bounded), parse, check that each
 * node id is the peer id of its Ed25519 key, verify every founder's signature.
 */
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { fromString } from 'uint8arrays'
import { InputError } from '../core/errors.ts'
import type { SignatureVerifier } from '../core/signature.ts'
import { GENESIS_FILE_BYTES_MAX, GenesisFormatError, parseGenesis, verifyGenesis, type GenesisDocument } from '../core/consensus/genesis.ts'
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

/** Throws GenesisNodeIdError unless each member's node id is the peer id of its Ed25519 key. */
export function checkGenesisNodeIds (document: GenesisDocument): void {
  for (const member of document.members) {
    const peerId = peerIdFromPublicKey(publicKeyFromRaw(fromString(member.public_key.ed25519, 'base64pad'))).toString()
    if (peerId !== member.node_id) {
      throw new GenesisNodeIdError(`genesis member ${member.node_id}: its Ed25519 key belongs to peer ${peerId}`)
    }
  }
}

/** Reads, parses and verifies a genesis file; relative paths resolve from `baseDir`. */
export async function loadGenesisFile (path: string, verifier: SignatureVerifier, baseDir: string = process.cwd()): Promise<LoadedGenesis> {
  const file = isAbsolute(path) ? path : resolve(baseDir, path)
  let size: number
  try {
    const info = await stat(file)
    // only a regular file: /dev/zero or a FIFO has no size to check and would be read without end
    if (!info.isFile()) throw new GenesisFileError(`genesis file ${file} is not a regular file`)
    size = info.size
  } catch (err) {
    if (err instanceof GenesisFileError) throw err
    throw new GenesisFileError(`cannot read genesis file ${file}: ${(err as Error).message}`, { cause: err })
  }
  if (size > GENESIS_FILE_BYTES_MAX) throw new GenesisFormatError(`genesis file ${file} is ${size} bytes, over ${GENESIS_FILE_BYTES_MAX}`)
  const document = parseGenesis(await readFile(file, 'utf8'))
  checkGenesisNodeIds(document)
  const { membership, policy } = verifyGenesis(document, verifier)
  return { file, document, membership, policy }
}
