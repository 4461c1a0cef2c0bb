// The antd-free first page draws with lib/theme.ts's TOKENS: they must be what antd derives from the
// app's THEME, or the shell and the results would drift from the antd pages (colours, font, radius).
import t from 'tap'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { theme as antdTheme } from 'antd'
import { THEME, TOKENS } from '../src/lib/theme.ts'

const require = createRequire(path.resolve(import.meta.dirname, '..', 'package.json'))
const { theme } = require('antd') as { theme: typeof antdTheme }

t.test("the first page's tokens are antd's for the app's theme", async (t) => {
  const derived = theme.getDesignToken(THEME) as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(TOKENS)) t.equal(value, derived[key], key)
})
