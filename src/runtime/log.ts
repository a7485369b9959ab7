/**
 * Structured logging with pino (fast JSON lines, levels, child loggers).
 * Level: $FEDMESH_LOG_LEVEL, else the config's `log.level`.
 */
import { pino, type Logger, type Level } from 'pino'

export type LogLevel = Level | 'silent'

/** A JSON-lines logger on stdout (or a given destination), tagged with the node's site id. */
export function createLogger (init: { level: LogLevel, siteId?: string, destination?: NodeJS.WritableStream }): Logger {
  const level = (process.env.FEDMESH_LOG_LEVEL as LogLevel | undefined) ?? init.level
  const options = { level, base: init.siteId === undefined ? {} : { site: init.siteId } }
  return init.destination === undefined ? pino(options) : pino(options, init.destination)
}

/** A logger that writes nothing (tests, the sim's many nodes). */
export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}

export type { Logger }
