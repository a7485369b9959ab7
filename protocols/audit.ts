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

export interface ConsistencyRequest {
  oldSize: bigint
  newSize: bigint
}

export namespace ConsistencyRequest {
  let _codec: Codec<ConsistencyRequest>

  export const codec = (): Codec<ConsistencyRequest> => {
    if (_codec == null) {
      _codec = message<ConsistencyRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.oldSize != null && obj.oldSize !== 0n)) {
          w.uint32(8)
          w.uint64(obj.oldSize)
        }

        if ((obj.newSize != null && obj.newSize !== 0n)) {
          w.uint32(16)
          w.uint64(obj.newSize)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          oldSize: 0n,
          newSize: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.oldSize = reader.uint64()
              break
            }
            case 2: {
              obj.newSize = reader.uint64()
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

  export const encode = (obj: Partial<ConsistencyRequest>): Uint8Array => {
    return encodeMessage(obj, ConsistencyRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConsistencyRequest>): ConsistencyRequest => {
    return decodeMessage(buf, ConsistencyRequest.codec(), opts)
  }
}

export interface ConsistencyResponse {
  oldRoot: Uint8Array
  proof: Uint8Array[]
  error: string
}

export namespace ConsistencyResponse {
  let _codec: Codec<ConsistencyResponse>

  export const codec = (): Codec<ConsistencyResponse> => {
    if (_codec == null) {
      _codec = message<ConsistencyResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.oldRoot != null && obj.oldRoot.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.oldRoot)
        }

        if (obj.proof != null) {
          for (const value of obj.proof) {
            w.uint32(18)
            w.bytes(value)
          }
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
          oldRoot: uint8ArrayAlloc(0),
          proof: [],
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.oldRoot = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.proof != null && obj.proof.length === opts.limits.proof) {
                throw new MaxLengthError('Decode error - map field "proof" had too many elements')
              }

              obj.proof.push(reader.bytes())
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

  export const encode = (obj: Partial<ConsistencyResponse>): Uint8Array => {
    return encodeMessage(obj, ConsistencyResponse.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ConsistencyResponse>): ConsistencyResponse => {
    return decodeMessage(buf, ConsistencyResponse.codec(), opts)
  }
}

export interface CosignatureDelivery {
  size: bigint
  root: Uint8Array
  timestampMs: bigint
  ed25519: Uint8Array
  mldsa: Uint8Array
}

export namespace CosignatureDelivery {
  let _codec: Codec<CosignatureDelivery>

  export const codec = (): Codec<CosignatureDelivery> => {
    if (_codec == null) {
      _codec = message<CosignatureDelivery>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(8)
          w.uint64(obj.size)
        }

        if ((obj.root != null && obj.root.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.root)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(24)
          w.uint64(obj.timestampMs)
        }

        if ((obj.ed25519 != null && obj.ed25519.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.ed25519)
        }

        if ((obj.mldsa != null && obj.mldsa.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.mldsa)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          size: 0n,
          root: uint8ArrayAlloc(0),
          timestampMs: 0n,
          ed25519: uint8ArrayAlloc(0),
          mldsa: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.size = reader.uint64()
              break
            }
            case 2: {
              obj.root = reader.bytes()
              break
            }
            case 3: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 4: {
              obj.ed25519 = reader.bytes()
              break
            }
            case 5: {
              obj.mldsa = reader.bytes()
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

  export const encode = (obj: Partial<CosignatureDelivery>): Uint8Array => {
    return encodeMessage(obj, CosignatureDelivery.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CosignatureDelivery>): CosignatureDelivery => {
    return decodeMessage(buf, CosignatureDelivery.codec(), opts)
  }
}

export interface CosignatureAck {
  error: string
}

export namespace CosignatureAck {
  let _codec: Codec<CosignatureAck>

  export const codec = (): Codec<CosignatureAck> => {
    if (_codec == null) {
      _codec = message<CosignatureAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(10)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
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

  export const encode = (obj: Partial<CosignatureAck>): Uint8Array => {
    return encodeMessage(obj, CosignatureAck.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CosignatureAck>): CosignatureAck => {
    return decodeMessage(buf, CosignatureAck.codec(), opts)
  }
}
