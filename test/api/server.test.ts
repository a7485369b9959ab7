import test from 'ava'
import { apiFixture, API_TEST_TOKEN as token } from '../fixtures/api.ts'

test('/healthz is open', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  const response = await api.inject({ method: 'GET', url: '/healthz' })
  t.is(response.statusCode, 200)
  t.is(response.json().status, 'ok')
})

for (const route of ['/status', '/peers', '/metrics']) {
  test(`${route} is 401 without the token, 401 with a wrong one, 200 with it`, async (t) => {
    const { node, api } = await apiFixture()
    t.teardown(async () => { await api.close(); await node.stop() })
    t.is((await api.inject({ method: 'GET', url: route })).statusCode, 401)
    t.is((await api.inject({ method: 'GET', url: route, headers: { authorization: 'Bearer nope' } })).statusCode, 401)
    t.is((await api.inject({ method: 'GET', url: route, headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
  })
}

test('/status reports the node', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  const status = (await api.inject({ method: 'GET', url: '/status', headers: { authorization: `Bearer ${token}` } })).json()
  t.is(status.node_id, node.peerId.toString())
  t.is(status.site_id, 'api_test')
  t.is(status.federation.enabled, false)
  t.is(status.members.length, 1)
})

test('operations run through POST /ops/<name>; bad arguments are 400, unknown operations 400', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  const headers = { authorization: `Bearer ${token}` }
  const ok = await api.inject({ method: 'POST', url: '/ops/echo', headers, payload: { say: 'hi' } })
  t.deepEqual(ok.json(), { said: 'hi' })
  const bad = await api.inject({ method: 'POST', url: '/ops/echo', headers, payload: { say: 1 } })
  t.is(bad.statusCode, 400)
  t.is(bad.json().name, 'OperationArgumentError')
  const unknown = await api.inject({ method: 'POST', url: '/ops/nope', headers, payload: {} })
  t.is(unknown.statusCode, 400)
  t.is(unknown.json().name, 'UnknownOperationError')
  t.is((await api.inject({ method: 'POST', url: '/ops/echo', payload: { say: 'hi' } })).statusCode, 401)
})
