// Apply as a mentor: my earlier applications (with a rejection's reason), and the form unless one is pending.
import { Alert, Button, Card, Flex, Form, Tag, Typography } from 'antd'
import { ItemList } from '../../components/ItemList.tsx'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { MentorApplication, MentorApplicationBody } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { applyAsMentor, myApplications } from '../../services/catalog.ts'
import { ProfileFormItems, profileBody, type ProfileFields } from '../me/mentor.tsx'

const COLORS = { pending: 'processing', approved: 'success', rejected: 'error' } as const

export default function ApplyPage() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [form] = Form.useForm<ProfileFields>()
  const apps = useQuery({ queryKey: ['my-applications'], queryFn: myApplications })
  const submit = useMutation({
    mutationFn: (body: MentorApplicationBody) => applyAsMentor(body),
    onSuccess: (a) => {
      qc.setQueryData<MentorApplication[]>(['my-applications'], (prev) => [a, ...(prev ?? [])])
      form.resetFields()
      fb.success(t.applied)
    },
    onError: fb.error,
  })
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t.applyTitle}</Typography.Title>
      <Typography.Paragraph>{t.applyIntro}</Typography.Paragraph>
      <QueryView query={apps}>
        {(list) => (
          <>
            {list.length > 0 && (
              <Card title={t.applicationStatus}>
                <ItemList items={list} itemKey={(a) => a.id} render={(a) => (
                    <Flex vertical>
                      <Flex gap={8} wrap>
                        <Tag color={COLORS[a.status]} data-testid="application-status">{t[`app_${a.status}`]}</Tag>
                        <Typography.Text strong>{a.headline}</Typography.Text>
                        <Typography.Text type="secondary">{new Date(a.createdAt).toLocaleString(lang)}</Typography.Text>
                      </Flex>
                      {a.reason && <Typography.Text type="danger">{t.reason}: {a.reason}</Typography.Text>}
                    </Flex>
                )} />
              </Card>
            )}
            {list.some((a) => a.status === 'pending') ? <Alert type="info" showIcon title={t.app_pending} /> : (
              <Card>
                <Form form={form} layout="vertical" name="apply" initialValues={{ yearsExperience: 1, hourlyRate: 30000, languages: ['ko'], timezone: 'Asia/Seoul' }}
                  onFinish={(v: ProfileFields) => submit.mutate(profileBody(v) as MentorApplicationBody)}>
                  <ProfileFormItems />
                  <Button type="primary" htmlType="submit" loading={submit.isPending}>{t.applySubmit}</Button>
                </Form>
              </Card>
            )}
          </>
        )}
      </QueryView>
    </Flex>
  )
}
