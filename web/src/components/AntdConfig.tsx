// antd's theme and locale (the UI's language) for the antd components below it. Not at the root: the
// landing and search page draws no antd component, and ConfigProvider brings antd's CSS-in-JS runtime
// and theme with it (the largest part of that page's start-up on a phone). So it wraps what draws antd
// and is loaded apart from the first page: the layout route of every other page (Feedback.tsx) and the
// search page's lazy parts (the filters, the phone menu, the bell, the error and empty states).
import { ConfigProvider } from 'antd'
import enUS from 'antd/locale/en_US'
import koKR from 'antd/locale/ko_KR'
import type { ReactNode } from 'react'
import { useI18n } from '../i18n/index.tsx'
import { THEME } from '../lib/theme.ts'

export function AntdConfig({ children }: { children: ReactNode }) {
  const { lang } = useI18n()
  return <ConfigProvider locale={lang === 'ko' ? koKR : enUS} theme={THEME}>{children}</ConfigProvider>
}
