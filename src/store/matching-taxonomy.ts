/**
 * The node's category taxonomy: `<dataDir>/taxonomy.yaml` when present
 * (`categories: [slug, …]`), otherwise the built-in default.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { InvalidTaxonomyError } from '../core/matching/errors.ts'
import { parseTaxonomy, type Taxonomy } from '../core/matching/taxonomy.ts'
import { defaultTaxonomy } from '../core/matching/default-taxonomy.ts'

export const TAXONOMY_FILE_NAME = 'taxonomy.yaml'

/** The taxonomy of a data dir (the default when the file is absent or there is no data dir). */
export async function loadTaxonomy (dataDir: string | undefined): Promise<Taxonomy> {
  if (dataDir === undefined) return defaultTaxonomy()
  const file = join(dataDir, TAXONOMY_FILE_NAME)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return defaultTaxonomy()
    throw err
  }
  let document: unknown
  try {
    document = parse(text)
  } catch (err) {
    throw new InvalidTaxonomyError(`${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`)
  }
  try {
    return parseTaxonomy(document)
  } catch (err) {
    if (err instanceof InvalidTaxonomyError) throw new InvalidTaxonomyError(`${file}: ${err.message}`)
    throw err
  }
}
