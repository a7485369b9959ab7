/**
 * What the profile summarisers (cpuprofile-top.ts, heapprofile-top.ts) share: who owns a V8 call frame's
 * source (an npm package, a fedmesh file, node's own), and a frame's printable key.
 */
export interface CallFrame { functionName: string, url: string, lineNumber: number }

/** The npm package, fedmesh file (src/…, sim/…) or node module a frame's source belongs to. */
export function owner (url: string): string {
  if (url === '') return '(native/gc/idle)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]!}/${rest[1]!}` : rest[0]!
  }
  const src = url.indexOf('/src/')
  if (src >= 0) return url.slice(src + 1)
  const sim = url.indexOf('/sim/')
  if (sim >= 0) return url.slice(sim + 1)
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]!
  return url
}

/** `function file:line` for a frame. */
export function frameKey (f: CallFrame): string {
  return `${f.functionName === '' ? '(anonymous)' : f.functionName} ${owner(f.url)}:${f.lineNumber + 1}`
}

/** Is the frame fedmesh's own code (src/ or sim/, not a package's own src/ under node_modules)? */
export function isFedmeshFrame (f: CallFrame): boolean {
  return !f.url.includes('node_modules/') && (f.url.includes('/src/') || f.url.includes('/sim/'))
}
