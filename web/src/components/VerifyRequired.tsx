// What a 1:1 request or a payment shows when the server answers 403 EMAIL_UNVERIFIED: the address
// must be verified first. Offers Firebase's verification email again and the way to my page, whose
// notice (pages/me/verify-email.tsx) says the same until the link is opened.
import { Alert, Button, Flex } from 'antd'
import { sendEmailVerification } from 'firebase/auth'
import { useState } from 'react'
import { Link } from 'react-router'
import { useAuth } from '../auth/AuthProvider.tsx'
import { auth } from '../firebase.ts'
import { useI18n } from '../i18n/index.tsx'
import { useFeedback } from './feedback.ts'

export function VerifyRequired() {
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
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="verify-required"
      title={t.verifyRequired}
      description={
        <Flex vertical gap={8} align="flex-start">
          <span>{t.verifyRequiredHint}</span>
          <Flex gap={8} wrap>
            {user?.email ? <Button size="small" loading={busy} onClick={() => void resend()}>{t.verifyResend}</Button> : null}
            <Link to="/me">{t.verifyGoMe}</Link>
          </Flex>
        </Flex>
      }
    />
  )
}
