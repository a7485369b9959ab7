/**
 * The built-in taxonomy, used when a node's data dir has no `taxonomy.yaml`.
 * Broad on purpose (services a small federation of organisations trades);
 * operators replace it with their own file (see docs/matching.md).
 */
import { Taxonomy } from './taxonomy.ts'

/** Slugs of the default taxonomy. */
export const DEFAULT_CATEGORIES: readonly string[] = [
  'accounting', 'accounting.payroll', 'accounting.tax',
  'care.childcare', 'care.elderly',
  'construction.carpentry', 'construction.electrical', 'construction.plumbing',
  'design', 'design.graphic', 'design.web',
  'education.languages', 'education.tutoring',
  'energy.power', 'energy.solar',
  'food.catering', 'food.produce',
  'health.first_aid', 'health.physio',
  'it.hosting', 'it.networking', 'it.security', 'it.software',
  'legal.contracts', 'legal.employment', 'legal.property',
  'logistics.delivery', 'logistics.storage',
  'marketing', 'marketing.social',
  'media.photography', 'media.video',
  'repair.bicycles', 'repair.electronics', 'repair.vehicles',
  'translation',
  'water'
]

/** The default taxonomy. */
export function defaultTaxonomy (): Taxonomy {
  return Taxonomy.of(DEFAULT_CATEGORIES)
}
