import { Button, Card, Form, Input, Typography } from 'antd'
import { createUserWithEmailAndPassword, sendEmailVerification, updateProfile } from 'firebase/auth'
import { useState } from 'react'
import { Link } from 'react-router'
import { useFeedback } from '../../components/feedback.ts'
import { auth } from '../../firebase.ts'
import { useI18n } from '../../i18n/index.tsx'
import { putMe } from '../../services/catalog.ts'
import { GoogleButton, useLeaveWhenSignedIn } from './login.tsx'

export default function Signup() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const [busy, setBusy] = useState(false)
  useLeaveWhenSignedIn()

  const onFinish = async (v: { displayName: string; email: string; password: string }) => {
    setBusy(true)
    try {
      const cred = await createUserWithEmailAndPassword(auth, v.email.trim(), v.password)
      const displayName = v.displayName.trim()
      await updateProfile(cred.user, { displayName })
      // A fresh token carries the name, and its change event re-renders the header with it.
      await cred.user.getIdToken(true)
      // The account mirror gets the name now; the sign-in sync may have run before the name was set.
      await putMe({ displayName })
      // Firebase's verification email (its link: /auth/action?mode=verifyEmail). Not sent is not fatal:
      // the account exists and is signed in.
      auth.languageCode = lang
      await sendEmailVerification(cred.user, { url: `${window.location.origin}/` }).catch(() => {})
    } catch (err) {
      fb.error(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card style={{ maxWidth: 420, margin: '24px auto' }}>
      <Typography.Title level={2}>{t.signupTitle}</Typography.Title>
      <Form layout="vertical" onFinish={onFinish} requiredMark={false} name="signup">
        <Form.Item label={t.displayName} name="displayName" rules={[{ required: true, whitespace: true, max: 80, message: t.required }]}>
          <Input autoComplete="name" maxLength={80} />
        </Form.Item>
        <Form.Item label={t.email} name="email" rules={[{ required: true, type: 'email', message: t.authInvalidEmail }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
        <Form.Item label={t.password} name="password" rules={[{ required: true, min: 6, message: t.authWeakPassword }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>{t.signupSubmit}</Button>
      </Form>
      <GoogleButton />
      <Typography.Paragraph style={{ marginTop: 16 }}>
        {t.haveAccount} <Link to="/login">{t.navLogin}</Link>
      </Typography.Paragraph>
    </Card>
  )
}
