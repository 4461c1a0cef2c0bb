// Firebase's verification email again, for the signed-in user, in the language the app shows; the
// link (the action page) brings them back to my page. Used by my page's notice and by the gate a
// 1:1 request or a payment meets (403 EMAIL_UNVERIFIED).
import { useState } from 'react'
import { useAuth } from '../auth/AuthProvider.tsx'
import { loadFirebase } from '../auth/firebase-loader.ts'
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
      // Firebase Auth is loaded already when someone is signed in; imported here, not at the top, so the
      // pages that show the gate (a mentor's page) do not bring the SDK to visitors who never sign in
      const [{ auth }, { sendEmailVerification }] = await Promise.all([loadFirebase(), import('firebase/auth')])
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
