// The UI's words: a typed dictionary per language instead of an i18n library (two languages, no plural
// rules beyond what a function can do). The Korean words (ko/index.ts) are the default and in the first
// page's JavaScript; the English ones (en/index.ts) are a chunk of their own that index.tsx loads when a
// visitor chooses English. Dict is the Korean dictionary's type and the English one is declared as a
// Dict, so a key missing in either language is a type error, not a blank label at run time.
import type { ko } from './ko/index.ts'

export type Dict = typeof ko
export type Lang = 'ko' | 'en'
