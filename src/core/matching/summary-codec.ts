/**
 * The canonical byte encoding of a summary — the bytes a node signs and
 * gossips. One summary has exactly one encoding, so signatures cover bytes
 * that any node can reproduce, and a decoder rejects every non-canonical form.
 *
 * Layout (all integers unsigned LEB128 varints, minimal length):
 *   version (1 byte, = 1)
 *   node id: length, UTF-8 bytes
 *   category table: count K, then K × (length, UTF-8 bytes), strictly ascending,
 *                   exactly the categories the entries use
 *   entries: count M, then M × (need index, offer index, count), strictly
 *            ascending by (need index, offer index), need ≠ offer, count ≥ 1
 * A table instead of slugs per entry keeps a 1,000-category summary small
 * (each index is 1–2 bytes) while the bytes stay independent of any taxonomy
 * ordering the receiver uses.
 */
import { InvalidSummaryError } from './errors.ts'
import type { Summary, SummaryEntry } from './summary.ts'
import { compareEntries } from './summary.ts'
import { compareText } from './taxonomy.ts'
import { SUMMARY_BYTES_MAX, SUMMARY_ENTRIES_MAX, SUMMARY_COUNT_MAX, CATEGORIES_MAX, NODE_ID_LENGTH_MAX, CATEGORY_LENGTH_MAX } from './limits.ts'

export const SUMMARY_ENCODING_VERSION = 1

class Writer {
  private bytes: number[] = []
  varint (value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`assertion failed: varint ${value}`)
    while (value >= 0x80) {
      this.bytes.push((value % 0x80) | 0x80)
      value = Math.floor(value / 0x80)
    }
    this.bytes.push(value)
  }

  text (value: string): void {
    const encoded = new TextEncoder().encode(value)
    this.varint(encoded.length)
    for (const b of encoded) this.bytes.push(b)
  }

  byte (value: number): void {
    this.bytes.push(value)
  }

  finish (): Uint8Array {
    return Uint8Array.from(this.bytes)
  }
}

class Reader {
  private offset = 0
  constructor (private readonly bytes: Uint8Array) {}

  byte (): number {
    if (this.offset >= this.bytes.length) throw new InvalidSummaryError('summary bytes end early')
    return this.bytes[this.offset++]!
  }

  /** A minimal-length varint no larger than `max`. */
  varint (max: number, what: string): number {
    let value = 0
    let scale = 1
    for (let i = 0; ; i++) {
      if (i >= 8) throw new InvalidSummaryError(`${what}: varint too long`)
      const b = this.byte()
      value += (b & 0x7f) * scale
      scale *= 0x80
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new InvalidSummaryError(`${what}: varint not minimally encoded`)
        break
      }
    }
    if (value > max) throw new InvalidSummaryError(`${what}: ${value} exceeds ${max}`)
    return value
  }

  text (max: number, what: string): string {
    const length = this.varint(max * 4, `${what} length`)
    if (this.offset + length > this.bytes.length) throw new InvalidSummaryError('summary bytes end early')
    const slice = this.bytes.subarray(this.offset, this.offset + length)
    this.offset += length
    let value: string
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(slice)
    } catch {
      throw new InvalidSummaryError(`${what} is not valid UTF-8`)
    }
    if (value.length > max) throw new InvalidSummaryError(`${what} is longer than ${max} characters`)
    return value
  }

  done (): boolean {
    return this.offset === this.bytes.length
  }
}

/** Encodes a canonical summary (as `validateSummary` returns it) to its canonical bytes. */
export function encodeSummary (summary: Summary): Uint8Array {
  const categories = [...new Set(summary.entries.flatMap((e) => [e.need, e.offer]))].sort(compareText)
  const index = new Map(categories.map((slug, i) => [slug, i]))
  const entries = [...summary.entries].sort(compareEntries)
  const writer = new Writer()
  writer.byte(SUMMARY_ENCODING_VERSION)
  writer.text(summary.node)
  writer.varint(categories.length)
  for (const slug of categories) writer.text(slug)
  writer.varint(entries.length)
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!
    if (entry.count < 1 || (i > 0 && compareEntries(entries[i - 1]!, entry) === 0)) {
      throw new InvalidSummaryError(`summary of ${summary.node} is not canonical: validate it before encoding`)
    }
    writer.varint(index.get(entry.need)!)
    writer.varint(index.get(entry.offer)!)
    writer.varint(entry.count)
  }
  return writer.finish()
}

/** Decodes canonical summary bytes; throws InvalidSummaryError on any other bytes. Validate categories with `validateSummary` after. */
export function decodeSummary (bytes: Uint8Array): Summary {
  if (bytes.length > SUMMARY_BYTES_MAX) throw new InvalidSummaryError(`summary is ${bytes.length} bytes; at most ${SUMMARY_BYTES_MAX}`)
  const reader = new Reader(bytes)
  const version = reader.byte()
  if (version !== SUMMARY_ENCODING_VERSION) throw new InvalidSummaryError(`summary encoding version ${version} is not ${SUMMARY_ENCODING_VERSION}`)
  const node = reader.text(NODE_ID_LENGTH_MAX, 'node id')
  const categoryCount = reader.varint(CATEGORIES_MAX, 'category count')
  const categories: string[] = []
  for (let i = 0; i < categoryCount; i++) {
    const slug = reader.text(CATEGORY_LENGTH_MAX, 'category')
    if (i > 0 && compareText(categories[i - 1]!, slug) >= 0) throw new InvalidSummaryError('summary categories are not strictly ascending')
    categories.push(slug)
  }
  const entryCount = reader.varint(SUMMARY_ENTRIES_MAX, 'entry count')
  const used = new Uint8Array(categoryCount)
  const entries: SummaryEntry[] = []
  let previousNeed = -1
  let previousOffer = -1
  for (let i = 0; i < entryCount; i++) {
    const need = reader.varint(categoryCount - 1, 'need index')
    const offer = reader.varint(categoryCount - 1, 'offer index')
    const count = reader.varint(SUMMARY_COUNT_MAX, 'count')
    if (need === offer) throw new InvalidSummaryError('summary entry pairs a category with itself')
    if (count === 0) throw new InvalidSummaryError('summary entry with count 0 is not canonical')
    if (need < previousNeed || (need === previousNeed && offer <= previousOffer)) {
      throw new InvalidSummaryError('summary entries are not strictly ascending')
    }
    previousNeed = need
    previousOffer = offer
    used[need] = 1
    used[offer] = 1
    entries.push({ need: categories[need]!, offer: categories[offer]!, count })
  }
  if (used.includes(0)) throw new InvalidSummaryError('summary category table lists a category no entry uses')
  if (!reader.done()) throw new InvalidSummaryError('summary has trailing bytes')
  return { node, entries }
}
