/**
 * The layering of src/, checked on the import graph (type-only imports are
 * erased at run time and do not count):
 * - no import cycle anywhere in src/;
 * - src/core/ imports only itself, the node: built-ins listed here and pure
 *   libraries (no I/O, no clock, no other layer);
 * - a service imports no src/node/ file (services get components, never the node).
 */
import test from 'ava'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SRC = join(ROOT, 'src')

/** node: built-ins core may use: hashing only. */
const CORE_BUILTINS = new Set(['node:crypto'])
/** Pure libraries core may use (schemas, byte codecs, YAML text, hashes): none does I/O. */
const CORE_PACKAGES = ['zod', 'uint8arrays', 'yaml', '@noble/hashes']

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Runtime import specifiers of a file: `import … from`, `export … from`, side-effect imports and dynamic `import()`. */
export function runtimeImports (text: string): string[] {
  const specifiers: string[] = []
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm
  for (const match of text.matchAll(statement)) {
    if (match[2] !== undefined) continue // `import type` / `export type`
    const clause = match[3] ?? ''
    // `import { type A, type B } from` is erased too
    const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1]
    if (names !== undefined && names.split(',').map((n) => n.trim()).filter((n) => n !== '').every((n) => n.startsWith('type '))) continue
    specifiers.push(match[4]!)
  }
  for (const match of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(match[1]!)
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!)
  return specifiers
}

const files = sourceFiles(SRC)
const graph = new Map<string, string[]>()
const external = new Map<string, string[]>()
for (const file of files) {
  const specifiers = runtimeImports(readFileSync(file, 'utf8'))
  graph.set(file, specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s)))
  external.set(file, specifiers.filter((s) => !s.startsWith('.')))
}
const rel = (file: string): string => relative(ROOT, file)

test('the import scanner sees runtime imports and skips type-only ones', (t) => {
  t.deepEqual(runtimeImports([
    "import { a } from './a.ts'",
    "import type { B } from './b.ts'",
    "import { type C, type D } from './c.ts'",
    "export { e } from './e.ts'",
    "export type { F } from './f.ts'",
    "import './side-effect.ts'",
    "const g = await import('./g.ts')"
  ].join('\n')), ['./a.ts', './e.ts', './side-effect.ts', './g.ts'])
})

test('every relative import in src/ resolves to a file', (t) => {
  const known = new Set(files)
  const missing = [...graph].flatMap(([file, targets]) => targets.filter((target) => !known.has(target) && !target.startsWith(join(ROOT, 'protocols'))).map((target) => `${rel(file)} → ${rel(target)}`))
  t.deepEqual(missing, [])
})

test('src/ has no import cycle', (t) => {
  // Tarjan's strongly connected components: any component of more than one file is a cycle
  let index = 0
  const indices = new Map<string, number>()
  const lowlinks = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (file: string): void => {
    indices.set(file, index)
    lowlinks.set(file, index)
    index++
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue
      if (!indices.has(target)) {
        visit(target)
        lowlinks.set(file, Math.min(lowlinks.get(file)!, lowlinks.get(target)!))
      } else if (onStack.has(target)) {
        lowlinks.set(file, Math.min(lowlinks.get(file)!, indices.get(target)!))
      }
    }
    if (lowlinks.get(file) === indices.get(file)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(rel(member))
      } while (member !== file)
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort())
    }
  }
  for (const file of files) if (!indices.has(file)) visit(file)
  t.true([...graph.values()].flat().length > 100, 'the scanner found the imports')
  t.deepEqual(cycles, [])
})

test('src/core/ imports only itself, node:crypto and pure libraries', (t) => {
  const core = join(SRC, 'core')
  const offences: string[] = []
  for (const file of files.filter((f) => f.startsWith(core + '/'))) {
    for (const target of graph.get(file) ?? []) if (!target.startsWith(core + '/')) offences.push(`${rel(file)} → ${rel(target)}`)
    for (const specifier of external.get(file) ?? []) {
      const allowed = CORE_BUILTINS.has(specifier) || CORE_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`))
      if (!allowed) offences.push(`${rel(file)} → ${specifier}`)
    }
  }
  t.deepEqual(offences, [])
})

test('services import no src/node/ file', (t) => {
  const services = join(SRC, 'services')
  const node = join(SRC, 'node')
  const offences = files.filter((f) => f.startsWith(services + '/'))
    .flatMap((file) => (graph.get(file) ?? []).filter((target) => target.startsWith(node + '/')).map((target) => `${rel(file)} → ${rel(target)}`))
  t.deepEqual(offences, [])
})
