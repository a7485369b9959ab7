/**
 * The operator console at `/console/`: a static ES-module app (preact + htm +
 * @preact/signals, uPlot) that reads the same API as the CLI. No build step:
 * the app's files are served as they are, and the view libraries are served
 * from node_modules under fixed names so nothing comes from a CDN.
 *
 * The shell (HTML, JS, CSS) holds no node data, so it is served without the
 * bearer token, like `/healthz`: a browser cannot attach a header to a
 * `<script type="module">` load. Every byte of node data still comes through
 * the token-protected routes; the page keeps the token in sessionStorage.
 */
import type { FastifyInstance } from 'fastify'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The URL prefix the console lives under. */
export const CONSOLE_PREFIX = '/console/'

/**
 * The npm files the app imports, by the name the page's import map uses.
 * A fixed list (not a directory) so nothing else under node_modules is reachable.
 */
export const CONSOLE_VENDOR_MODULES: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'preact-hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
  'signals-core.mjs': '@preact/signals-core/dist/signals-core.mjs',
  'signals.mjs': '@preact/signals/dist/signals.mjs',
  'uplot.mjs': 'uplot/dist/uPlot.esm.js',
  'uplot.css': 'uplot/dist/uPlot.min.css'
}

/**
 * The app's folder. Running from `dist/` (the built CLI), tsc has not copied
 * the app's plain files, so fall back to the source tree beside `dist/`.
 */
export function consoleAppDir (): string {
  const candidates = [new URL('./app/', import.meta.url), new URL('../../../../src/api/console/app/', import.meta.url)]
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate)
    if (existsSync(`${dir}index.html`)) return dir
  }
  throw new Error(`the console app is missing (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')})`)
}

/** A package's folder, searched along Node's own node_modules lookup path (some packages do not export package.json). */
function packageDir (packageName: string): string {
  const require = createRequire(import.meta.url)
  for (const modules of require.resolve.paths(packageName) ?? []) {
    if (existsSync(join(modules, packageName, 'package.json'))) return join(modules, packageName)
  }
  throw new Error(`the console needs the npm package ${packageName}: run npm install`)
}

/** Absolute paths of the vendored files. */
function vendorFiles (): Map<string, string> {
  const files = new Map<string, string>()
  for (const [name, specifier] of Object.entries(CONSOLE_VENDOR_MODULES)) {
    const parts = specifier.split('/')
    const packageName = parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
    files.set(name, join(packageDir(packageName), specifier.slice(packageName.length + 1)))
  }
  return files
}

/**
 * The Content-Security-Policy of the page: scripts from this origin only, plus
 * the inline import map, allowed by its hash. The token lives in sessionStorage,
 * so the page must not run script from anywhere else.
 */
export function consoleContentSecurityPolicy (html: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)
  const hashes = importMap === null ? '' : ` 'sha256-${createHash('sha256').update(importMap[1]!).digest('base64')}'`
  return [
    "default-src 'none'",
    `script-src 'self'${hashes}`,
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}

/** Mounts `/console/` (the app) and `/console/vendor/<name>` (the npm files) on the API. */
export async function registerConsole (app: FastifyInstance): Promise<void> {
  const appDir = consoleAppDir()
  const html = readFileSync(`${appDir}index.html`, 'utf8')
  const policy = consoleContentSecurityPolicy(html)
  const vendor = vendorFiles()
  // loaded here, not at import: every CLI command imports the API module, only a running node serves files
  const { default: fastifyStatic } = await import('@fastify/static')

  await app.register(fastifyStatic, {
    root: appDir,
    prefix: CONSOLE_PREFIX,
    index: 'index.html',
    // the app changes with the node's version; revalidate rather than cache stale modules
    cacheControl: false,
    setHeaders: (reply) => {
      void reply.headers({ 'cache-control': 'no-cache', 'content-security-policy': policy, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
    }
  })

  app.get('/console', async (_request, reply) => await reply.redirect(CONSOLE_PREFIX))

  app.get<{ Params: { name: string } }>(`${CONSOLE_PREFIX}vendor/:name`, async (request, reply) => {
    const file = vendor.get(request.params.name)
    if (file === undefined) return await reply.code(404).send({ error: `no vendored file named "${request.params.name}"`, name: 'NotFoundError' })
    return await reply.sendFile(basename(file), dirname(file))
  })
}
