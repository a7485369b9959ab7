/**
 * Parsing the small documents operators exchange as files (genesis, founder
 * entries, genesis signature files): a size bound before any parsing, the
 * text's syntax, then the schema, each failure one named error that says
 * which document and which fields.
 */
import type { z } from 'zod'
import { parse as parseYaml } from 'yaml'

export interface DocumentFormat<T> {
  schema: z.ZodType<T>
  syntax: 'JSON' | 'YAML'
  bytesMax: number
  /** the document as error messages name it, e.g. "genesis file" */
  source: string
  /** what a schema failure calls it, e.g. "genesis" (default: source) */
  subject?: string
  /** the named error to throw */
  error: (message: string, options?: { cause: unknown }) => Error
}

/** Parses `input` (text in the format's syntax, or an already-parsed value) against the format's schema. */
export function parseDocument<T> (input: string | unknown, format: DocumentFormat<T>): T {
  let raw: unknown = input
  if (typeof input === 'string') {
    if (input.length > format.bytesMax) throw format.error(`${format.source} is over ${format.bytesMax} bytes`)
    try {
      raw = format.syntax === 'JSON' ? JSON.parse(input) : parseYaml(input)
    } catch (err) {
      throw format.error(`${format.source} is not valid ${format.syntax}: ${(err as Error).message.split('\n')[0]}`, { cause: err })
    }
  }
  const result = format.schema.safeParse(raw)
  if (!result.success) {
    throw format.error(`invalid ${format.subject ?? format.source}: ${result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`)
  }
  return result.data
}
