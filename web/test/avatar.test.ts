import t from 'tap'
import { AVATAR_COLOURS, avatarColour, initials } from '../src/lib/avatar.ts'

t.test('Korean names: the family name syllable', async (t) => {
  t.equal(initials('홍길동'), '홍')
  t.equal(initials('이안'), '이')
  t.equal(initials('남궁민수'), '남', 'a two-syllable family name: its first syllable')
  t.equal(initials('김 민준'), '김', 'written with a space')
  t.equal(initials('  박서연  '), '박')
  t.equal(initials('\u1112\u1169\u11BC길동'), '홍', 'decomposed jamo are composed first (NFC)')
  t.equal(initials('김 Jane'), '김')
  t.equal(initials('山田太郎'), '山', 'Han and kana the same way')
})

t.test('other names: first letters of the first and last word, upper-cased', async (t) => {
  t.equal(initials('Jane Q. Doe'), 'JD')
  t.equal(initials('ada'), 'A')
  t.equal(initials('émile zola'), 'ÉZ')
  t.equal(initials('😀 Kim'), 'K', 'not a letter: skipped')
  t.equal(initials('Jane 김'), 'J', 'a Hangul last word adds nothing to Latin initials')
  t.equal(initials('"Dr." John'), 'DJ')
})

t.test('no letters: a question mark', async (t) => {
  for (const n of ['', '   ', null, undefined, '😀 🎉', '---']) t.equal(initials(n), '?', JSON.stringify(n))
})

t.test('the colour is the id\'s, spread over the palette, and white text on it is readable', async (t) => {
  const id = '0190a000-0000-7000-8000-000000000001'
  t.equal(avatarColour(id), avatarColour(id), 'deterministic')
  const used = new Set(Array.from({ length: 200 }, (_, i) => avatarColour(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`)))
  t.ok(used.size >= AVATAR_COLOURS.length - 1, `200 ids use ${used.size} of ${AVATAR_COLOURS.length} colours`)
  // WCAG 2 relative luminance: white text needs (1.05) / (L + 0.05) ≥ 4.5
  const channel = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  for (const hex of AVATAR_COLOURS) {
    const [r, g, b] = [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16) / 255))
    const ratio = 1.05 / (0.2126 * r! + 0.7152 * g! + 0.0722 * b! + 0.05)
    t.ok(ratio >= 4.5, `${hex}: ${ratio.toFixed(2)}:1`)
  }
})
