// My page's notice for an address not verified yet: Firebase's verification email again, on request.
// The link (the action page) verifies it; the notice goes once the session knows.
import { Alert, Button } from 'antd'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { useResendVerification } from '../../components/resend-verification.ts'
import { useI18n } from '../../i18n/index.tsx'

export function VerifyEmailNotice() {
  const { t } = useI18n()
  const { user } = useAuth()
  const { resend, busy } = useResendVerification()
  if (!user?.email || user.emailVerified) return null

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
