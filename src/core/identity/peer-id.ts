/**
 * The text form of a libp2p PeerId, checked in one place: base58btc
 * (no 0, O, I, l). An Ed25519 PeerId is 52 characters (`12D3KooW…`); RSA
 * ones are longer; 100 leaves room without admitting junk.
 */

export const PEER_ID_LENGTH_MIN = 40
export const PEER_ID_LENGTH_MAX = 100
/** A whole PeerId text. */
export const PEER_ID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{40,100}$/
/** The same grammar for use inside a larger pattern (no anchors). */
export const PEER_ID_PATTERN_SOURCE = '[1-9A-HJ-NP-Za-km-z]{40,100}'

/** True when `text` has the form of a base58 PeerId (not that such a key exists). */
export function isPeerIdText (text: string): boolean {
  return PEER_ID_PATTERN.test(text)
}
