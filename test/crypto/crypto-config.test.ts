import test from 'ava'
import { parseConfig, ConfigError } from '../../src/config/load.ts'
import { resolveMlDsaBackend } from '../../src/crypto/hybrid.ts'

const base = { site_id: 'uk_north', jurisdiction: 'UK' }

test('the crypto config section defaults to ML-DSA-65 and the auto backend', (t) => {
  const config = parseConfig(base)
  t.deepEqual(config.crypto, { mldsa_level: 65, mldsa_backend: 'auto' })
  t.is(resolveMlDsaBackend(config.crypto.mldsa_backend), 'native')
})

test('the crypto config section accepts levels 44, 65, 87 and the three backends, nothing else', (t) => {
  for (const level of [44, 65, 87] as const) t.is(parseConfig({ ...base, crypto: { mldsa_level: level } }).crypto.mldsa_level, level)
  for (const backend of ['auto', 'native', 'noble'] as const) t.is(parseConfig({ ...base, crypto: { mldsa_backend: backend } }).crypto.mldsa_backend, backend)
  t.throws(() => parseConfig({ ...base, crypto: { mldsa_level: 66 } }), { instanceOf: ConfigError })
  t.throws(() => parseConfig({ ...base, crypto: { mldsa_backend: 'openssl' } }), { instanceOf: ConfigError })
  t.throws(() => parseConfig({ ...base, crypto: { level: 65 } }), { instanceOf: ConfigError })
})
