// "Forgot password": Firebase sends the password reset email (its email action); the link leads to
// /auth/action (pages/auth/action.tsx) when the project's action URL points there, and back to the
// login page afterwards. Whether an account exists is not revealed: an unknown address gets the same
// answer as a known one.
import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { sendPasswordResetEmail } from 'firebase/auth'
import { useState } from 'react'
import { Link } from 'react-router'
import { useFeedback } from '../../components/feedback.ts'
import { auth } from '../../firebase.ts'
import { useI18n } from '../../i18n/index.tsx'
import { useLeaveWhenSignedIn } from './login.tsx'

export default function ForgotPassword() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const [busy, setBusy] = useState(false)
  const [sentTo, setSentTo] = useState<string | null>(null)
  useLeaveWhenSignedIn()

  const onFinish = async (v: { email: string }) => {
    const email = v.email.trim()
    setBusy(true)
    try {
      auth.languageCode = lang
      await sendPasswordResetEmail(auth, email, { url: `${window.location.origin}/login` })
      setSentTo(email)
    } catch (err) {
      // the same answer for an address without an account (no account enumeration)
      if ((err as { code?: string }).code === 'auth/user-not-found') setSentTo(email)
      else fb.error(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card style={{ maxWidth: 420, margin: '24px auto' }}>
      <Typography.Title level={2}>{t.forgotTitle}</Typography.Title>
      {sentTo ? (
        <Alert type="success" showIcon role="status" title={t.forgotSent(sentTo)} />
      ) : (
        <>
          <Typography.Paragraph>{t.forgotIntro}</Typography.Paragraph>
          <Form layout="vertical" onFinish={onFinish} requiredMark={false} name="forgot">
            <Form.Item label={t.email} name="email" rules={[{ required: true, type: 'email', message: t.authInvalidEmail }]}>
              <Input type="email" autoComplete="email" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>{t.forgotSubmit}</Button>
          </Form>
        </>
      )}
      <Typography.Paragraph style={{ marginTop: 16 }}>
        <Link to="/login">{t.forgotBack}</Link>
      </Typography.Paragraph>
    </Card>
  )
}
