// Shows request errors, successes and notes with antd's message, through the text lib/errors.ts builds
// (the server's message, never a stack). Every mutation's onError goes through here.
import { App } from 'antd'
import { useCallback, useMemo } from 'react'
import { errorMessage } from '../lib/errors.ts'
import { useI18n } from '../i18n/index.tsx'

export function useFeedback() {
  const { message } = App.useApp()
  const { t } = useI18n()
  const error = useCallback((err: unknown) => void message.error(errorMessage(err, t), 6), [message, t])
  const success = useCallback((text: string) => void message.success(text), [message])
  const info = useCallback((text: string) => void message.info(text), [message])
  return useMemo(() => ({ error, success, info }), [error, success, info])
}
