import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import type { Dict, Lang } from './dict.ts'
import { ko } from './ko/index.ts'

const STORAGE_KEY = 'sunbae.lang'

interface I18n {
  lang: Lang
  t: Dict
  /** Shows the app in `lang` (once its words are here: English is fetched the first time) and keeps the choice. */
  setLang: (lang: Lang) => void
}

const Ctx = createContext<I18n | null>(null)

// Korean is in the first page's JavaScript; English is a chunk of its own (en/index.ts), fetched the
// first time a visitor needs it and kept. A failed fetch is forgotten, so the next choice tries again.
let english: Promise<Dict> | null = null
function words(lang: Lang): Promise<Dict> {
  if (lang === 'ko') return Promise.resolve(ko)
  english ??= import('./en/index.ts').then(
    (m) => m.en,
    (err: unknown) => {
      english = null
      throw err
    },
  )
  return english
}

function savedLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
  return saved === 'en' || saved === 'ko' ? saved : 'ko'
}

// A visitor who chose English before: its words start downloading now, while the rest of the app is
// evaluated, and the app draws once they are here (not in Korean first).
const saved = savedLang()
if (saved === 'en') void words('en').catch(() => undefined)

interface Shown {
  lang: Lang
  t: Dict
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState<Shown | null>(saved === 'ko' ? { lang: 'ko', t: ko } : null)
  // the language asked for last: a slower fetch of an earlier choice must not win over it
  const wanted = useRef<Lang>(saved)
  const show = useCallback((lang: Lang, fallback: Shown | null) => {
    wanted.current = lang
    words(lang).then(
      (t) => {
        if (wanted.current !== lang) return
        localStorage.setItem(STORAGE_KEY, lang)
        document.documentElement.lang = lang
        setShown((cur) => (cur?.lang === lang ? cur : { lang, t }))
      },
      (err: unknown) => {
        console.warn(`the ${lang} words did not load`, err)
        if (wanted.current !== lang) return
        // keep what is on screen (or Korean, at start) and let the visitor choose again
        wanted.current = fallback?.lang ?? 'ko'
        if (!fallback) setShown({ lang: 'ko', t: ko })
      },
    )
  }, [])
  useEffect(() => {
    if (saved === 'en') show('en', null)
  }, [show])
  const value = useMemo<I18n | null>(
    () =>
      shown && {
        ...shown,
        setLang: (lang) => show(lang, shown),
      },
    [shown, show],
  )
  // nothing to draw until the visitor's words are here (only when English was saved: one small chunk)
  if (!value) return null
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useI18n(): I18n {
  const v = useContext(Ctx)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return v
}
