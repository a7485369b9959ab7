/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface LogFrontier {
  dataClass: string
  origin: string
  low: bigint
  frontier: bigint
  high: bigint
}

export namespace LogFrontier {
  let _codec: Codec<LogFrontier>

  export const codec = (): Codec<LogFrontier> => {
    if (_codec == null) {
      _codec = message<LogFrontier>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.dataClass != null && obj.dataClass !== '')) {
          w.uint32(10)
          w.string(obj.dataClass)
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(18)
          w.string(obj.origin)
        }

        if ((obj.low != null && obj.low !== 0n)) {
          w.uint32(24)
          w.uint64(obj.low)
        }

        if ((obj.frontier != null && obj.frontier !== 0n)) {
          w.uint32(32)
          w.uint64(obj.frontier)
        }

        if ((obj.high != null && obj.high !== 0n)) {
          w.uint32(40)
          w.uint64(obj.high)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          dataClass: '',
          origin: '',
          low: 0n,
          frontier: 0n,
          high: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.dataClass = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.string()
              break
            }
            case 3: {
              obj.low = reader.uint64()
              break
            }
            case 4: {
              obj.frontier = reader.uint64()
              break
            }
            case 5: {
              obj.high = reader.uint64()
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

  export const encode = (obj: Partial<LogFrontier>): Uint8Array => {
    return encodeMessage(obj, LogFrontier.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogFrontier>): LogFrontier => {
    return decodeMessage(buf, LogFrontier.codec(), opts)
  }
}

export interface FetchRequest {
  dataClass: string
  origin: string
  fromSeq: bigint
  toSeq: bigint
  countMax: number
}

export namespace FetchRequest {
  let _codec: Codec<FetchRequest>

  export const codec = (): Codec<FetchRequest> => {
    if (_codec == null) {
      _codec = message<FetchRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.dataClass != null && obj.dataClass !== '')) {
          w.uint32(10)
          w.string(obj.dataClass)
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(18)
          w.string(obj.origin)
        }

        if ((obj.fromSeq != null && obj.fromSeq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.fromSeq)
        }

        if ((obj.toSeq != null && obj.toSeq !== 0n)) {
          w.uint32(32)
          w.uint64(obj.toSeq)
        }

        if ((obj.countMax != null && obj.countMax !== 0)) {
          w.uint32(40)
          w.uint32(obj.countMax)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          dataClass: '',
          origin: '',
          fromSeq: 0n,
          toSeq: 0n,
          countMax: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.dataClass = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.string()
              break
            }
            case 3: {
              obj.fromSeq = reader.uint64()
              break
            }
            case 4: {
              obj.toSeq = reader.uint64()
              break
            }
            case 5: {
              obj.countMax = reader.uint32()
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

  export const encode = (obj: Partial<FetchRequest>): Uint8Array => {
    return encodeMessage(obj, FetchRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): FetchRequest => {
    return decodeMessage(buf, FetchRequest.codec(), opts)
  }
}

export interface SyncRequest {
  frontiers: boolean
  fetch?: FetchRequest
}

export namespace SyncRequest {
  let _codec: Codec<SyncRequest>

  export const codec = (): Codec<SyncRequest> => {
    if (_codec == null) {
      _codec = message<SyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.frontiers != null && obj.frontiers !== false)) {
          w.uint32(8)
          w.bool(obj.frontiers)
        }

        if (obj.fetch != null) {
          w.uint32(18)
          FetchRequest.codec().encode(obj.fetch, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          frontiers: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.frontiers = reader.bool()
              break
            }
            case 2: {
              obj.fetch = FetchRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetch
              })
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

  export const encode = (obj: Partial<SyncRequest>): Uint8Array => {
    return encodeMessage(obj, SyncRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): SyncRequest => {
    return decodeMessage(buf, SyncRequest.codec(), opts)
  }
}

export interface LogEvidence {
  first: Uint8Array
  second: Uint8Array
}

export namespace LogEvidence {
  let _codec: Codec<LogEvidence>

  export const codec = (): Codec<LogEvidence> => {
    if (_codec == null) {
      _codec = message<LogEvidence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.first != null && obj.first.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.first)
        }

        if ((obj.second != null && obj.second.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.second)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          first: uint8ArrayAlloc(0),
          second: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.first = reader.bytes()
              break
            }
            case 2: {
              obj.second = reader.bytes()
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

  export const encode = (obj: Partial<LogEvidence>): Uint8Array => {
    return encodeMessage(obj, LogEvidence.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogEvidence>): LogEvidence => {
    return decodeMessage(buf, LogEvidence.codec(), opts)
  }
}

export interface SyncResponse {
  frontiers: LogFrontier[]
  envelopes: Uint8Array[]
  nextSeq: bigint
  evidence: LogEvidence[]
}

export namespace SyncResponse {
  let _codec: Codec<SyncResponse>

  export const codec = (): Codec<SyncResponse> => {
    if (_codec == null) {
      _codec = message<SyncResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.frontiers != null) {
          for (const value of obj.frontiers) {
            w.uint32(10)
            LogFrontier.codec().encode(value, w)
          }
        }

        if (obj.envelopes != null) {
          for (const value of obj.envelopes) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.nextSeq != null && obj.nextSeq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.nextSeq)
        }

        if (obj.evidence != null) {
          for (const value of obj.evidence) {
            w.uint32(34)
            LogEvidence.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          frontiers: [],
          envelopes: [],
          nextSeq: 0n,
          evidence: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.frontiers != null && obj.frontiers.length === opts.limits.frontiers) {
                throw new MaxLengthError('Decode error - map field "frontiers" had too many elements')
              }

              obj.frontiers.push(LogFrontier.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.frontiers$
              }))
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
              obj.nextSeq = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.evidence != null && obj.evidence.length === opts.limits.evidence) {
                throw new MaxLengthError('Decode error - map field "evidence" had too many elements')
              }

              obj.evidence.push(LogEvidence.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.evidence$
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

  export const encode = (obj: Partial<SyncResponse>): Uint8Array => {
    return encodeMessage(obj, SyncResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): SyncResponse => {
    return decodeMessage(buf, SyncResponse.codec(), opts)
  }
}
