// My page's notice for an address not verified yet: Firebase's verification email again, on request.
// The link (the action page) verifies it; the notice goes once the session knows.
import { Alert, Button } from 'antd'
import { sendEmailVerification } from 'firebase/auth'
import { useState } from 'react'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { auth } from '../../firebase.ts'
import { useI18n } from '../../i18n/index.tsx'

export function VerifyEmailNotice() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const { user } = useAuth()
  const [busy, setBusy] = useState(false)
  if (!user?.email || user.emailVerified) return null

  const resend = async () => {
    setBusy(true)
    try {
      auth.languageCode = lang
      await sendEmailVerification(user, { url: `${window.location.origin}/me` })
      fb.success(t.verifySent(user.email!))
    } catch (err) {
      fb.error(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="verify-email"
      title={t.verifyNeeded}
      action={<Button size="small" loading={busy} onClick={resend}>{t.verifyResend}</Button>}
    />
  )
}
