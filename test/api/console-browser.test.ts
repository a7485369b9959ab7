/**
 * The operator console in a real browser: playwright-core drives Debian's
 * chromium against two real federated nodes (their local APIs on loopback).
 * Each page is screenshotted into test-output/ for review.
 *
 * Without chromium these tests are skipped with a printed reason, never silently.
 */
import { REPUTATION_SCORE_INITIAL } from '../../src/core/reputation/reputation.ts'
import test from 'ava'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { chromiumPath, consoleFederation, votesMeshed, type ConsoleSite } from '../fixtures/console.ts'
import { OPERATION_LIST } from '../../src/operations/index.ts'

const operationNames = OPERATION_LIST.map((operation) => operation.name)

const CHROMIUM = chromiumPath()
if (CHROMIUM === undefined) {
  console.log('console browser tests SKIPPED: no chromium found at $CHROMIUM_PATH or /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it)')
}
const browserTest = CHROMIUM === undefined ? test.serial.skip : test.serial
/** Tests that need an operation the node does not offer yet run as soon as it is registered. */
const withOperations = (...names: string[]) => names.every((name) => operationNames.includes(name)) ? browserTest : test.serial.skip

/** Every wait on the page is bounded by this (ms); nothing sleeps then asserts. */
const WAIT_MS = 15_000
const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url))

let browser: Browser | undefined
let stopFederation: (() => Promise<void>) | undefined
let north: ConsoleSite
let south: ConsoleSite
/** one logged-in page on south's console, shared by the serial tests in order */
let page: Page
/** script errors and CSP violations on that page: the last test asserts there were none */
const pageProblems: string[] = []

test.before(async () => {
  if (CHROMIUM === undefined) return
  mkdirSync(OUTPUT_DIR, { recursive: true })
  const federation = await consoleFederation(['north', 'south'])
  stopFederation = federation.stop
  ;[north, south] = federation.sites as [ConsoleSite, ConsoleSite]
  browser = await chromium.launch({ executablePath: CHROMIUM, timeout: WAIT_MS })
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  page.setDefaultTimeout(WAIT_MS)
  page.on('pageerror', (err) => { pageProblems.push(`page error: ${err.message}`) })
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) pageProblems.push(message.text())
  })
})

test.after.always(async () => {
  await browser?.close()
  await stopFederation?.()
})

async function screenshot (name: string): Promise<void> {
  await page.screenshot({ path: `${OUTPUT_DIR}console-${name}.png`, fullPage: true })
}

/** Goes to a page by keyboard: focus its menu link, press Enter; the page's heading takes the focus. */
async function openPage (id: string, title: string): Promise<void> {
  if (new URL(page.url()).hash === `#/${id}`) return // already there: no navigation, focus stays
  await page.locator(`nav a[href="#/${id}"]`).focus()
  await page.keyboard.press('Enter')
  await page.locator('#page-title:focus', { hasText: title }).waitFor()
}

browserTest('a wrong token is refused with the error name and nothing is kept', async (t) => {
  const context = await browser!.newContext()
  t.teardown(async () => { await context.close() })
  const other = await context.newPage()
  other.setDefaultTimeout(WAIT_MS)
  await other.goto(`${south.origin}/console/`)
  await other.locator('#token').fill('not-the-token')
  await other.keyboard.press('Enter')
  await other.locator('.error[data-error-name="UnauthorizedError"]').waitFor()
  t.is(await other.evaluate(() => sessionStorage.length), 0, 'a refused token is not stored')
  t.false(other.url().includes('not-the-token'), 'the token is never in the URL')
  t.true(await other.locator('#token').isVisible(), 'still on the login form')
})

browserTest('logging in by keyboard shows this node on the Overview, with the message-rate chart', async (t) => {
  await page.goto(`${south.origin}/console/`)
  await page.locator('#token:focus').waitFor() // the form focuses the token field
  await page.keyboard.type(south.token)
  await page.keyboard.press('Enter')
  await page.locator('[data-testid="whoami"]', { hasText: 'south · console-fed' }).waitFor()
  t.is(await page.evaluate(() => sessionStorage.getItem('fedmesh.console.token')), south.token)
  t.false(page.url().includes(south.token), 'the token is never in the URL')
  await page.locator('.facts code.id', { hasText: south.node.peerId.toString() }).waitFor()
  // two /metrics readings make the first rate point; gossip runs every second (metrics_interval 1)
  await page.locator('[data-testid="rates"]', { hasText: 'now:' }).waitFor()
  t.is(await page.locator('.chart canvas').count(), 1, 'uPlot drew the chart')
  await page.locator('.facts dd', { hasText: '2 votes (bft)' }).waitFor()
  await screenshot('overview')
})

browserTest('the other node is on Members, connected, with its site and jurisdiction', async (t) => {
  await openPage('members', 'Members')
  const row = page.locator(`tr[data-peer-id="${north.node.peerId.toString()}"]`)
  await row.locator('td[data-col="connected"]', { hasText: 'yes' }).waitFor()
  t.regex(await row.innerText(), /north[\s\S]*UK[\s\S]*MEDIUM/)
  t.false(await row.evaluate((el) => el.classList.contains('failing')), 'a connected member with medium trust is not highlighted')
  t.is((await row.locator('td[data-col="reputation"]').innerText()).trim(), String(REPUTATION_SCORE_INITIAL), 'node reputation, before any exchange')
  t.regex(await row.locator('td[data-col="summary-age"]').innerText(), /^(never|.+ ago)$/, 'the age of its latest summary (or never)')
  await screenshot('members')
})

browserTest('a failing member is highlighted with the reason in words', async (t) => {
  // the operator's admin penalty (−20) takes north from 50 to LOW: flagged
  await south.op('consensus.trust-adjust', { node_id: north.node.peerId.toString(), rule: 'admin_penalty' })
  const row = page.locator(`tr.failing[data-peer-id="${north.node.peerId.toString()}"]`)
  await row.locator('td[data-col="problems"]', { hasText: 'low trust (30, flagged)' }).waitFor()
  await screenshot('members-failing')
  // two boosts (+10 each) bring it back to 50, MEDIUM
  await south.op('consensus.trust-adjust', { node_id: north.node.peerId.toString(), rule: 'admin_boost' })
  await south.op('consensus.trust-adjust', { node_id: north.node.peerId.toString(), rule: 'admin_boost' })
  await page.locator(`tr[data-peer-id="${north.node.peerId.toString()}"] td[data-col="problems"]`, { hasText: 'ok' }).waitFor()
  t.pass()
})

browserTest('a proposal made on the other node is decided by a vote from the Consensus page, its QC verified', async (t) => {
  await votesMeshed([north, south])
  const proposal = await north.op<{ event_hash: string, slot: string }>('consensus.propose', {
    type: 'governance_proposal', slot: 'gov/console-1', body: { title: 'Share the water dashboard', text: 'proposed by north' }
  })
  await openPage('consensus', 'Consensus')
  // the proposal reaches this node with its content before anyone votes on it (a node signs only events it has seen)
  await page.locator('article.slot[data-slot="gov/console-1"] h3', { hasText: 'Share the water dashboard' }).waitFor()
  // by keyboard: fill the vote form and submit with Enter
  await page.locator('#vote-slot').fill(proposal.slot)
  await page.locator('#vote-hash').fill(proposal.event_hash)
  await page.locator('#vote-hash').press('Enter')
  await page.locator('[data-testid="vote-result"]', { hasText: 'gov/console-1' }).waitFor()
  const row = page.locator('tr[data-slot="gov/console-1"]')
  await row.locator('td[data-col="result"]', { hasText: 'decided' }).waitFor()
  await row.locator('[data-qc="verified"]', { hasText: '2 votes' }).waitFor()
  // the proposer's node decided the same
  const check = await north.op<{ consensus_achieved: boolean }>('consensus.check', { event_hash: proposal.event_hash })
  t.true(check.consensus_achieved)
  await screenshot('consensus')
})

browserTest('an invalid vote shows the API\'s error name', async (t) => {
  await page.locator('#vote-slot').fill('gov/console-2')
  await page.locator('#vote-hash').fill('not-a-hash')
  await page.locator('#vote-hash').press('Enter')
  await page.locator('form .error[data-error-name="OperationArgumentError"]').waitFor()
  t.pass()
})

browserTest('pending: a proposal from the other node is listed on the Consensus page and decided by its Vote button', async (t) => {
  await votesMeshed([north, south])
  const proposal = await north.op<{ event_hash: string, slot: string }>('consensus.propose', {
    type: 'governance_proposal', slot: 'gov/console-pending', body: { title: 'Open the north reservoir', text: 'pending test' }
  })
  await openPage('consensus', 'Consensus')
  const slot = page.locator('article.slot[data-slot="gov/console-pending"]')
  await slot.locator('h3', { hasText: 'Open the north reservoir' }).waitFor()
  // its content and its proposer, named by the membership's site
  await slot.locator('p.body', { hasText: 'pending test' }).waitFor()
  await slot.locator('.event p.muted', { hasText: 'governance_proposal · proposed by north' }).waitFor()
  await screenshot('consensus-pending')
  await slot.getByRole('button', { name: `Vote for ${proposal.event_hash.slice(0, 8)}` }).click()
  await page.locator('tr[data-slot="gov/console-pending"] td[data-col="result"]', { hasText: 'decided' }).waitFor()
  await slot.waitFor({ state: 'detached' }) // a decided slot is no longer pending
  t.pass()
})

browserTest('Matching shows this node\'s participants and the clearing over both nodes', async (t) => {
  await south.op('participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['legal.contracts'] })
  await north.op('participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  // north's summary arrives by gossip (debounced); wait for it through the API, bounded
  const deadline = Date.now() + WAIT_MS
  while (!(await south.op<{ nodes: string[] }>('match', {})).nodes.includes('north')) {
    if (Date.now() > deadline) throw new Error('south never received north\'s summary')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await openPage('matching', 'Matching')
  await page.locator('tr[data-participant="sep://bob@south"]').waitFor()
  // the clearing pairs bob with a participant of north
  await page.locator('[data-testid="clearing-summary"]', { hasText: '2 participants served in 1 chains' }).waitFor()
  if (!operationNames.includes('chains.list')) {
    await page.locator('[data-testid="chains"] .error[data-error-name="UnknownOperationError"]').waitFor()
  }
  await screenshot('matching')
  t.pass()
})

// Enabled by itself once the node registers the chain operations; how a chain reaches the
// consent stage (after the participants above match) is the chain protocol's to decide.
withOperations('chains.list', 'chain.consent', 'chain.refuse')('chains: consent to a chain for a local participant from the Matching page', async (t) => {
  // south proposes the chain the clearing found (bob ↔ alice); bob's step then waits for his consent
  await south.op('chain.propose', {})
  await openPage('matching', 'Matching')
  const consent = page.locator('[data-testid="chains"] article.chain').getByRole('button', { name: 'Consent' }).first()
  await consent.waitFor({ timeout: 30_000 })
  await consent.click()
  await page.locator('[data-testid="chains"] td', { hasText: 'consented' }).first().waitFor({ timeout: 30_000 })
  await screenshot('matching-chains')
  t.pass()
})

browserTest('Audit: the tail, and the verify button with its result (or the API\'s error name)', async (t) => {
  await openPage('audit', 'Audit')
  await page.getByRole('button', { name: 'Verify the audit chain' }).click()
  if (operationNames.includes('audit.verify')) {
    await page.locator('[data-testid="verify-result"]', { hasText: 'The audit chain verifies.' }).waitFor()
  } else {
    await page.locator('.error[data-error-name="UnknownOperationError"]', { hasText: 'audit.verify' }).waitFor()
  }
  await screenshot('audit')
  t.pass()
})

browserTest('Log out forgets the token', async (t) => {
  await page.getByRole('button', { name: 'Log out' }).click()
  await page.locator('#token').waitFor()
  t.is(await page.evaluate(() => sessionStorage.getItem('fedmesh.console.token')), null)
  t.deepEqual(pageProblems, [], 'no script error and no CSP violation on any page')
})
