// The initials avatar of someone without a photo (imported and seeded mentors, mentees): no image
// request at all, a colour that stays the same for the same person, and initials that suit the name.

/**
 * Background colours under white text, all at 4.5:1 or better (WCAG AA; web/test/avatar.test.ts
 * checks each): antd's 7th and 8th shades, which are recognisably blue, purple, magenta, red, … .
 */
export const AVATAR_COLOURS = ['#0958d9', '#531dab', '#c41d7f', '#cf1322', '#ad2102', '#006d75', '#237804', '#ad4e00', '#1d39c4', '#874d00'] as const

/** FNV-1a (32 bit) of the id: the colour is the id's, whatever else about the person changes. */
export function avatarColour(id: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return AVATAR_COLOURS[(h >>> 0) % AVATAR_COLOURS.length]!
}

/** Scripts written without case and read a character at a time: their first character stands alone. */
const SYLLABIC = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u
const LETTER = /[\p{L}\p{N}]/u

/**
 * The initials of a display name:
 * - a name starting in Hangul (or Han, kana) gives its first syllable — the family name: 홍길동 → 홍,
 *   남궁민수 → 남 (of 남궁), "김 민준" → 김. One syllable fills a small circle legibly, and it is how a
 *   Korean reads a name first.
 * - other names give the first letter of the first and of the last word, upper-cased: "Jane Q. Doe"
 *   → JD, "ada" → A; what is not a letter or digit (emoji, punctuation) is skipped.
 * - a name without any letter gives "?".
 */
export function initials(name: string | null | undefined): string {
  const words = (name ?? '').normalize('NFC').trim().split(/\s+/).map((w) => Array.from(w).filter((c) => LETTER.test(c))).filter((w) => w.length > 0)
  if (words.length === 0) return '?'
  const first = words[0]![0]!
  if (SYLLABIC.test(first)) return first
  const last = words.length > 1 ? words[words.length - 1]![0]! : ''
  return (first + (SYLLABIC.test(last) ? '' : last)).toLocaleUpperCase()
}
