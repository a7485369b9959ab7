/**
 * The local HTTP API on fastify (well kept, fast, schema-aware, and its
 * `inject()` lets tests call routes without a socket).
 *
 * Loopback by default. `GET /healthz` and the console's static shell under
 * `/console/` are open; everything else needs the bearer token from
 * `<dataDir>/api.token`.
 */
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyReply } from 'fastify'
import { timingSafeEqual, createHash } from 'node:crypto'
import type { Operations } from '../operations/index.ts'
import type { Logger } from '../runtime/log.ts'
import { InputError } from '../core/errors.ts'
import { registerConsole } from './console/index.ts'

/** Request bodies above this are refused: operations take small JSON arguments. */
export const API_BODY_BYTES_MAX = 1024 * 1024

/** What the API reads of the node (the composition root's read models). */
export interface ApiNode {
  peerId: { toString: () => string }
  status: () => unknown
  peers: () => unknown
  metrics: { registry: { contentType: string }, exposition: () => Promise<string> }
  log: Logger
}

export interface ApiInit {
  node: ApiNode
  /** the bearer token, or where to read it (the daemon re-reads api.token when it changes, so a rotated token works at once) */
  token: string | (() => Promise<string>)
  operations: Operations
}

/** Constant-time token check (hash first so lengths never leak through timing). */
function tokenMatches (expected: string, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false
  const given = createHash('sha256').update(header.slice('Bearer '.length)).digest()
  return timingSafeEqual(given, createHash('sha256').update(expected).digest())
}

/** Builds the API (not yet listening). */
export function createApiServer (init: ApiInit): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: API_BODY_BYTES_MAX })
  const { node } = init

  const requireToken = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const expected = typeof init.token === 'string' ? init.token : await init.token()
    if (!tokenMatches(expected, request.headers.authorization)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token (see <data dir>/api.token)', name: 'UnauthorizedError' })
    }
  }

  // the operator console's static shell (no data: the page calls the routes below with the token)
  void app.register(registerConsole)

  app.get('/healthz', async () => ({ status: 'ok', node_id: node.peerId.toString() }))

  app.get('/metrics', { onRequest: requireToken }, async (_request, reply) => {
    await reply.header('content-type', node.metrics.registry.contentType).send(await node.metrics.exposition())
  })

  app.get('/status', { onRequest: requireToken }, async () => node.status())

  app.get('/peers', { onRequest: requireToken }, async () => node.peers())

  app.post<{ Params: { name: string } }>('/ops/:name', { onRequest: requireToken }, async (request, reply) => {
    try {
      return await init.operations.run(request.params.name, request.body ?? {})
    } catch (err) {
      if (err instanceof InputError) {
        return await reply.code(400).send({ error: err.message, name: err.name })
      }
      node.log.error({ err, operation: request.params.name }, 'operation failed')
      return await reply.code(500).send({ error: (err as Error).message, name: (err as Error).name })
    }
  })

  return app
}
