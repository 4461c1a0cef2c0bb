import { createContext, useContext, useMemo, useState, type ReactNode } from 'react'
import { DICTS, type Dict, type Lang } from './dict.ts'

const STORAGE_KEY = 'sunbae.lang'

interface I18n {
  lang: Lang
  t: Dict
  setLang: (lang: Lang) => void
}

const Ctx = createContext<I18n | null>(null)

function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
  return saved === 'en' || saved === 'ko' ? saved : 'ko'
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang)
  const value = useMemo<I18n>(
    () => ({
      lang,
      t: DICTS[lang],
      setLang: (l) => {
        localStorage.setItem(STORAGE_KEY, l)
        document.documentElement.lang = l
        setLangState(l)
      },
    }),
    [lang],
  )
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useI18n(): I18n {
  const v = useContext(Ctx)
  if (!v) throw new Error('useI18n outside I18nProvider')
  return v
}
