// What a 1:1 request or a payment shows when the server answers 403 EMAIL_UNVERIFIED: the address
// must be verified first. Offers Firebase's verification email again and the way to my page, whose
// notice (pages/me/verify-email.tsx) says the same until the link is opened. When the link was opened
// elsewhere (another device, the mail app's browser), "I've opened the link" reloads the account and
// takes a fresh ID token, whose email_verified claim is what the server reads.
import { Alert, Button, Flex } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router'
import { useAuth } from '../auth/AuthProvider.tsx'
import { loadFirebase } from '../auth/firebase-loader.ts'
import { useI18n } from '../i18n/index.tsx'
import { useFeedback } from './feedback.ts'
import { useResendVerification } from './resend-verification.ts'

export function VerifyRequired() {
  const { t } = useI18n()
  const fb = useFeedback()
  const { user, refresh } = useAuth()
  const { resend, busy } = useResendVerification()
  const [checking, setChecking] = useState(false)
  const check = async () => {
    setChecking(true)
    try {
      // Firebase Auth is loaded when someone is signed in; through the loader, so the pages that may show
      // this gate (a mentor's page) do not bring the SDK to visitors who never sign in
      const { auth } = await loadFirebase()
      await auth.currentUser?.reload()
      if (auth.currentUser?.emailVerified) {
        await refresh()
        fb.success(t.verifyRecheckDone)
      } else {
        fb.info(t.verifyRecheckPending)
      }
    } catch (err) {
      fb.error(err)
    } finally {
      setChecking(false)
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
            {user ? <Button size="small" loading={checking} onClick={() => void check()}>{t.verifyRecheck}</Button> : null}
            <Link to="/me">{t.verifyGoMe}</Link>
          </Flex>
        </Flex>
      }
    />
  )
}
