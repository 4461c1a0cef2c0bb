import t from 'tap'
import { CHROMIUM, chromiumPath, HEADLESS_SHELL } from '../src/chromium.ts'

t.test('CHROMIUM_PATH wins', async (t) => {
  t.equal(chromiumPath({ CHROMIUM_PATH: '/opt/chrome' }, () => true), '/opt/chrome')
})

t.test("Debian's headless shell when installed, else Debian's chromium", async (t) => {
  t.equal(chromiumPath({}, (f) => f === HEADLESS_SHELL), HEADLESS_SHELL)
  t.equal(chromiumPath({}, () => false), CHROMIUM)
  t.equal(chromiumPath({ CHROMIUM_PATH: '' }, () => false), CHROMIUM, 'an empty CHROMIUM_PATH is unset')
})
