/**
 * The console's serving (static shell, vendored npm files, headers) through
 * fastify's inject, and the app's pure modules (metrics parsing, member
 * problems, vote lists) in Node: they are plain ES modules with no DOM use.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { apiFixture, API_TEST_TOKEN as token } from '../fixtures/api.ts'
import { CONSOLE_VENDOR_MODULES, consoleContentSecurityPolicy } from '../../src/api/console/index.ts'
// @ts-expect-error plain browser ES module without types
import { parsePrometheus, gossipTotals, addReading, emptySeries, RATE_SAMPLES_MAX } from '../../src/api/console/app/metrics.js'

test('/console redirects to /console/, which serves the app without the token and with a strict CSP', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  const redirect = await api.inject({ method: 'GET', url: '/console' })
  t.is(redirect.statusCode, 302)
  t.is(redirect.headers.location, '/console/')
  const page = await api.inject({ method: 'GET', url: '/console/' })
  t.is(page.statusCode, 200)
  t.regex(String(page.headers['content-type']), /text\/html/)
  t.regex(page.body, /<script type="module" src="\.\/main\.js">/)
  const csp = String(page.headers['content-security-policy'])
  t.regex(csp, /script-src 'self' 'sha256-/, 'the inline import map is allowed by its hash only')
  t.regex(csp, /connect-src 'self'/)
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page.body)![1]!
  t.true(csp.includes(createHash('sha256').update(importMap).digest('base64')), 'the CSP hash is the served import map\'s')
  // the shell holds no node data: the data routes still need the token
  t.is((await api.inject({ method: 'GET', url: '/status' })).statusCode, 401)
  t.is((await api.inject({ method: 'GET', url: '/status', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
})

test('every module the import map names is served, from node_modules, as JavaScript', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  const page = (await api.inject({ method: 'GET', url: '/console/' })).body
  const imports = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(page)![1]!).imports as Record<string, string>
  t.true(Object.keys(imports).length >= 5)
  for (const [specifier, path] of Object.entries(imports)) {
    const response = await api.inject({ method: 'GET', url: new URL(path, 'http://x/console/').pathname })
    t.is(response.statusCode, 200, specifier)
    t.regex(String(response.headers['content-type']), /javascript/, specifier)
  }
  for (const name of Object.keys(CONSOLE_VENDOR_MODULES)) {
    t.is((await api.inject({ method: 'GET', url: `/console/vendor/${name}` })).statusCode, 200, name)
  }
  const uplot = await api.inject({ method: 'GET', url: '/console/vendor/uplot.mjs' })
  t.regex(uplot.body, /export \{ uPlot as default \}/)
})

test('nothing outside the app folder and the vendored list is reachable', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  for (const url of [
    '/console/vendor/package.json',
    '/console/vendor/..%2F..%2Fpackage.json',
    '/console/../package.json',
    '/console/..%2F..%2F..%2F..%2Fpackage.json',
    '/console/%2e%2e/server.ts',
    '/console/vendor/preact'
  ]) {
    const response = await api.inject({ method: 'GET', url })
    t.not(response.statusCode, 200, url)
    t.false(response.body.includes('"dependencies"'), url)
  }
})

test('the CSP allows no inline script when the page has no import map', (t) => {
  t.regex(consoleContentSecurityPolicy('<html></html>'), /script-src 'self';/)
})

test('Prometheus text is parsed into samples, gossip counters summed by direction', (t) => {
  const text = [
    '# HELP fedmesh_gossip_messages_total Gossip messages',
    '# TYPE fedmesh_gossip_messages_total counter',
    'fedmesh_gossip_messages_total{data_class="vote",direction="in",result="accept",reason="ok"} 5',
    'fedmesh_gossip_messages_total{data_class="vote",direction="in",result="reject",reason="bad_vote_signature"} 2',
    'fedmesh_gossip_messages_total{data_class="summary",direction="out",result="sent",reason="ok"} 7',
    'fedmesh_peers 3',
    'libp2p_label{name="a \\"quoted\\" one"} 1'
  ].join('\n')
  const samples = parsePrometheus(text)
  t.is(samples.length, 5)
  t.deepEqual(samples[4].labels, { name: 'a "quoted" one' })
  t.deepEqual(gossipTotals(samples), { in: 7, out: 7 })
})

test('rates come from consecutive readings, bounded in count, and restart when a counter goes down', (t) => {
  let series = addReading(emptySeries(), { at: 0, in: 0, out: 0 })
  t.is(series.points.length, 0, 'one reading is no rate yet')
  series = addReading(series, { at: 2_000, in: 10, out: 4 })
  t.deepEqual(series.points, [{ at: 2_000, in: 5, out: 2 }])
  series = addReading(series, { at: 2_000, in: 12, out: 4 })
  t.is(series.points.length, 1, 'a reading at the same instant adds no point')
  series = addReading(series, { at: 3_000, in: 1, out: 0 })
  t.deepEqual(series.points, [], 'the node restarted: counters went down')
  for (let i = 1; i <= RATE_SAMPLES_MAX + 10; i++) series = addReading(series, { at: 3_000 + i * 1000, in: 1 + i, out: i })
  t.is(series.points.length, RATE_SAMPLES_MAX)
  t.deepEqual(series.points.at(-1), { at: 3_000 + (RATE_SAMPLES_MAX + 10) * 1000, in: 1, out: 1 })
})
