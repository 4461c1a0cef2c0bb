// Firebase's verification email again, for the signed-in user, in the language the app shows; the
// link (the action page) brings them back to my page. Used by my page's notice and by the gate a
// 1:1 request or a payment meets (403 EMAIL_UNVERIFIED).
import { sendEmailVerification } from 'firebase/auth'
import { useState } from 'react'
import { useAuth } from '../auth/AuthProvider.tsx'
import { auth } from '../firebase.ts'
import { useI18n } from '../i18n/index.tsx'
import { useFeedback } from './feedback.ts'

export function useResendVerification(): { resend: () => Promise<void>; busy: boolean } {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const { user } = useAuth()
  const [busy, setBusy] = useState(false)
  const resend = async () => {
    if (!user?.email) return
    setBusy(true)
    try {
      auth.languageCode = lang
      await sendEmailVerification(user, { url: `${window.location.origin}/me` })
      fb.success(t.verifySent(user.email))
    } catch (err) {
      fb.error(err)
    } finally {
      setBusy(false)
    }
  }
  return { resend, busy }
}
