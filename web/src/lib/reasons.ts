// A recommendation's reasons in the reader's language. The server sends each reason as a code
// (`kind`) with its facts (`params`: the shared skills, the amounts, the windows…) and no sentence;
// this words it from the dictionary. Plain TS, so tap can test both languages.
import type { RecommendationReason } from '@sunbae/contracts'
import type { Dict, Lang } from '../i18n/dict.ts'
import { formatMoney } from './payments.ts'

export interface ReasonView {
  /** the sentence */
  text: string
  /** the concrete overlap, one tag each (skills, goal words, windows…) */
  tags: string[]
}

type Words = Pick<
  Dict,
  | 'reasonSkills'
  | 'reasonGoals'
  | 'reasonGoalWhere'
  | 'reasonLanguage'
  | 'reasonBudgetWithin'
  | 'reasonBudgetBelow'
  | 'reasonOverBudget'
  | 'reasonTimeWindows'
  | 'reasonNextDay'
  | 'reasonTimezone'
  | 'reasonRating'
  | 'reasonExperience'
  | 'reasonStage'
  | 'reasonDays'
  | 'reasonOther'
>

/** A language's name in the reader's language (ko → 한국어 / Korean); the code when Intl does not know it. */
export function languageName(code: string, lang: Lang): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'language' }).of(code) ?? code
  } catch {
    return code
  }
}

const sameWord = (a: string, b: string) => a.toLocaleLowerCase() === b.toLocaleLowerCase()
const hours = (h: number, lang: Lang) => h.toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 1 })

export function reasonView(reason: RecommendationReason, t: Words, lang: Lang): ReasonView {
  const won = (n: number) => formatMoney(n, 'KRW', lang)
  switch (reason.kind) {
    case 'skills': {
      const p = reason.params
      return { text: t.reasonSkills(p.count), tags: p.skills.map((s) => (sameWord(s.mine, s.theirs) ? s.theirs : `${s.mine} ↔ ${s.theirs}`)) }
    }
    case 'goals':
      return { text: t.reasonGoals, tags: reason.params.words.map((w) => `${w.word} (${t.reasonGoalWhere[w.where]})`) }
    case 'language': {
      const names = reason.params.languages.map((l) => languageName(l, lang))
      return { text: t.reasonLanguage(names.join(', ')), tags: [] }
    }
    case 'budget': {
      const p = reason.params
      return { text: p.fit === 'below' ? t.reasonBudgetBelow(won(p.rate), won(p.min)) : t.reasonBudgetWithin(won(p.rate), won(p.min), won(p.max)), tags: [] }
    }
    case 'over_budget': {
      const p = reason.params
      return { text: t.reasonOverBudget(won(p.rate), won(p.max), won(p.over)), tags: [] }
    }
    case 'time_windows': {
      const p = reason.params
      const tags = p.windows.map((w) => `${t.reasonDays[w.day] ?? w.day} ${w.start}–${w.end}${w.endsNextDay ? ` (${t.reasonNextDay})` : ''}`)
      return { text: t.reasonTimeWindows(hours(p.hoursPerWeek, lang), p.timezone), tags }
    }
    case 'timezone':
      return { text: t.reasonTimezone(reason.params.timezone), tags: [] }
    case 'rating':
      return { text: t.reasonRating(reason.params.rating.toFixed(2), reason.params.reviewCount), tags: [] }
    case 'experience': {
      const p = reason.params
      return { text: t.reasonExperience(p.years, t.reasonStage[p.stage] ?? p.stage, p.minYears), tags: [] }
    }
    default:
      // a kind this build does not know yet (a newer server): say there is a reason, not its code
      return { text: t.reasonOther, tags: [] }
  }
}
