/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface BilateralLink {
  seq: bigint
  hash: Uint8Array
  prevHash: Uint8Array
}

export namespace BilateralLink {
  let _codec: Codec<BilateralLink>

  export const codec = (): Codec<BilateralLink> => {
    if (_codec == null) {
      _codec = message<BilateralLink>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.hash)
        }

        if ((obj.prevHash != null && obj.prevHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.prevHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          hash: uint8ArrayAlloc(0),
          prevHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.hash = reader.bytes()
              break
            }
            case 3: {
              obj.prevHash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<BilateralLink>): Uint8Array => {
    return encodeMessage(obj, BilateralLink.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BilateralLink>): BilateralLink => {
    return decodeMessage(buf, BilateralLink.codec(), opts)
  }
}

export interface BilateralBatch {
  low: bigint
  envelopes: Uint8Array[]
  withdrawn: BilateralLink[]
}

export namespace BilateralBatch {
  let _codec: Codec<BilateralBatch>

  export const codec = (): Codec<BilateralBatch> => {
    if (_codec == null) {
      _codec = message<BilateralBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.low != null && obj.low !== 0n)) {
          w.uint32(8)
          w.uint64(obj.low)
        }

        if (obj.envelopes != null) {
          for (const value of obj.envelopes) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.withdrawn != null) {
          for (const value of obj.withdrawn) {
            w.uint32(26)
            BilateralLink.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          low: 0n,
          envelopes: [],
          withdrawn: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.low = reader.uint64()
              break
            }
            case 2: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - map field "envelopes" had too many elements')
              }

              obj.envelopes.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.withdrawn != null && obj.withdrawn.length === opts.limits.withdrawn) {
                throw new MaxLengthError('Decode error - map field "withdrawn" had too many elements')
              }

              obj.withdrawn.push(BilateralLink.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.withdrawn$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<BilateralBatch>): Uint8Array => {
    return encodeMessage(obj, BilateralBatch.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BilateralBatch>): BilateralBatch => {
    return decodeMessage(buf, BilateralBatch.codec(), opts)
  }
}

export enum BilateralEntryOutcome {
  BILATERAL_ENTRY_OUTCOME_UNSPECIFIED = 'BILATERAL_ENTRY_OUTCOME_UNSPECIFIED',
  ACCEPTED = 'ACCEPTED',
  DUPLICATE = 'DUPLICATE',
  REFUSED = 'REFUSED'
}

enum __BilateralEntryOutcomeValues {
  BILATERAL_ENTRY_OUTCOME_UNSPECIFIED = 0,
  ACCEPTED = 1,
  DUPLICATE = 2,
  REFUSED = 3
}

export namespace BilateralEntryOutcome {
  export const codec = (): Codec<BilateralEntryOutcome> => {
    return enumeration<BilateralEntryOutcome>(__BilateralEntryOutcomeValues)
  }
}

export interface BilateralEntryResult {
  seq: bigint
  outcome: BilateralEntryOutcome
  error: string
}

export namespace BilateralEntryResult {
  let _codec: Codec<BilateralEntryResult>

  export const codec = (): Codec<BilateralEntryResult> => {
    if (_codec == null) {
      _codec = message<BilateralEntryResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(8)
          w.uint64(obj.seq)
        }

        if (obj.outcome != null && __BilateralEntryOutcomeValues[obj.outcome] !== 0) {
          w.uint32(16)
          BilateralEntryOutcome.codec().encode(obj.outcome, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(26)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0n,
          outcome: BilateralEntryOutcome.BILATERAL_ENTRY_OUTCOME_UNSPECIFIED,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64()
              break
            }
            case 2: {
              obj.outcome = BilateralEntryOutcome.codec().decode(reader)
              break
            }
            case 3: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<BilateralEntryResult>): Uint8Array => {
    return encodeMessage(obj, BilateralEntryResult.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BilateralEntryResult>): BilateralEntryResult => {
    return decodeMessage(buf, BilateralEntryResult.codec(), opts)
  }
}

export interface BilateralFrontier {
  frontier: bigint
  frontierHash: Uint8Array
  held: bigint[]
  results: BilateralEntryResult[]
}

export namespace BilateralFrontier {
  let _codec: Codec<BilateralFrontier>

  export const codec = (): Codec<BilateralFrontier> => {
    if (_codec == null) {
      _codec = message<BilateralFrontier>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.frontier != null && obj.frontier !== 0n)) {
          w.uint32(8)
          w.uint64(obj.frontier)
        }

        if ((obj.frontierHash != null && obj.frontierHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.frontierHash)
        }

        if (obj.held != null) {
          for (const value of obj.held) {
            w.uint32(24)
            w.uint64(value)
          }
        }

        if (obj.results != null) {
          for (const value of obj.results) {
            w.uint32(34)
            BilateralEntryResult.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          frontier: 0n,
          frontierHash: uint8ArrayAlloc(0),
          held: [],
          results: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.frontier = reader.uint64()
              break
            }
            case 2: {
              obj.frontierHash = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.held != null && obj.held.length === opts.limits.held) {
                throw new MaxLengthError('Decode error - map field "held" had too many elements')
              }

              obj.held.push(reader.uint64())
              break
            }
            case 4: {
              if (opts.limits?.results != null && obj.results.length === opts.limits.results) {
                throw new MaxLengthError('Decode error - map field "results" had too many elements')
              }

              obj.results.push(BilateralEntryResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.results$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<BilateralFrontier>): Uint8Array => {
    return encodeMessage(obj, BilateralFrontier.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BilateralFrontier>): BilateralFrontier => {
    return decodeMessage(buf, BilateralFrontier.codec(), opts)
  }
}
