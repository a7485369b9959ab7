/**
 * The category taxonomy: the shared list of slugs offers and needs are drawn
 * from. Categories are kept sorted (by UTF-16 code units, like `Array.sort`),
 * so a category's index — the vertex of the category graph — is the same on
 * every node holding the same taxonomy.
 */
import { InvalidTaxonomyError, UnknownCategoryError } from './errors.ts'
import { CATEGORIES_MAX, CATEGORY_LENGTH_MAX } from './limits.ts'

/** A category slug: lowercase words joined by `.`, `_` or `-` (e.g. `legal.contracts`). */
export const CATEGORY_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/** Compares two strings by code units; the one order every sort in matching uses. */
export function compareText (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** An immutable, validated set of category slugs with a stable index per slug. */
export class Taxonomy {
  /** the slugs, sorted */
  readonly categories: readonly string[]
  private readonly index: ReadonlyMap<string, number>

  private constructor (categories: string[]) {
    this.categories = categories
    this.index = new Map(categories.map((slug, i) => [slug, i]))
  }

  /** Builds a taxonomy from slugs (any order, duplicates ignored); throws InvalidTaxonomyError. */
  static of (slugs: readonly string[]): Taxonomy {
    const unique = [...new Set(slugs)]
    if (unique.length === 0) throw new InvalidTaxonomyError('a taxonomy needs at least one category')
    if (unique.length > CATEGORIES_MAX) {
      throw new InvalidTaxonomyError(`a taxonomy has at most ${CATEGORIES_MAX} categories, got ${unique.length}`)
    }
    for (const slug of unique) {
      if (typeof slug !== 'string' || slug.length > CATEGORY_LENGTH_MAX || !CATEGORY_PATTERN.test(slug)) {
        throw new InvalidTaxonomyError(`category ${JSON.stringify(slug)} must be a slug of at most ${CATEGORY_LENGTH_MAX} characters: lowercase letters and digits joined by ".", "_" or "-"`)
      }
    }
    return new Taxonomy(unique.sort(compareText))
  }

  /** Number of categories. */
  get size (): number {
    return this.categories.length
  }

  /** True when `slug` is a category. */
  has (slug: string): boolean {
    return this.index.has(slug)
  }

  /** The index of a category; throws UnknownCategoryError for anything else. */
  indexOf (slug: string): number {
    const i = this.index.get(slug)
    if (i === undefined) {
      throw new UnknownCategoryError(`unknown category ${JSON.stringify(slug)}: not in the taxonomy (${this.describe()})`)
    }
    return i
  }

  /** The slug at an index. */
  slugAt (index: number): string {
    const slug = this.categories[index]
    if (slug === undefined) throw new Error(`assertion failed: category index ${index} out of range`)
    return slug
  }

  private describe (): string {
    const shown = this.categories.slice(0, 8).join(', ')
    return this.categories.length > 8 ? `${shown}, … ${this.categories.length} in all` : shown
  }
}

/** Reads a taxonomy document (`{ categories: [...] }` or a bare list), as parsed from YAML/JSON. */
export function parseTaxonomy (input: unknown): Taxonomy {
  const list = Array.isArray(input) ? input : (input !== null && typeof input === 'object' ? (input as { categories?: unknown }).categories : undefined)
  if (!Array.isArray(list)) throw new InvalidTaxonomyError('a taxonomy must be a list of category slugs, or a mapping with a "categories:" list')
  for (const item of list) {
    if (typeof item !== 'string') throw new InvalidTaxonomyError(`category ${JSON.stringify(item)} must be a string`)
  }
  return Taxonomy.of(list as string[])
}
