// Admin: mentor applications, approve or reject with a reason.
import { Button, Flex, Form, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { MentorApplication } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { approveApplication, listApplications, rejectApplication } from '../../services/catalog.ts'

type Status = 'pending' | 'approved' | 'rejected'

export default function ApplicationsList() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [status, setStatus] = useState<Status>('pending')
  const [page, setPage] = useState(1)
  const [rejecting, setRejecting] = useState<MentorApplication | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const apps = useQuery({ queryKey: ['admin-applications', status, page], queryFn: () => listApplications(status, page) })
  const done = () => void qc.invalidateQueries({ queryKey: ['admin-applications'] })
  const approve = useMutation({ mutationFn: approveApplication, onSuccess: () => { done(); fb.success(t.app_approved) }, onError: fb.error })
  const reject = useMutation({
    mutationFn: (v: { id: string; reason: string }) => rejectApplication(v.id, v.reason),
    onSuccess: () => { setRejecting(null); form.resetFields(); done() },
    onError: fb.error,
  })
  return (
    <Flex vertical gap={12}>
      <Segmented<Status> value={status} onChange={(v) => { setStatus(v); setPage(1) }} options={(['pending', 'approved', 'rejected'] as const).map((s) => ({ value: s, label: t[`app_${s}`] }))} />
      <QueryView query={apps} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<MentorApplication>
            rowKey="id"
            size="small"
            scroll={{ x: true }}
            dataSource={d.items}
            data-testid="applications"
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            expandable={{ expandedRowRender: (a) => <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{a.bio}</Typography.Paragraph> }}
            columns={[
              { title: t.applicant, key: 'who', render: (_, a) => <Flex vertical><span>{a.applicant.displayName ?? '—'}</span><Typography.Text type="secondary">{a.applicant.email}</Typography.Text></Flex> },
              { title: t.headline, dataIndex: 'headline' },
              { title: t.skills, key: 'skills', render: (_, a) => a.skills.map((s) => <Tag key={s}>{s}</Tag>) },
              { title: t.hourlyRate, key: 'rate', render: (_, a) => t.perHour(a.hourlyRate) },
              { title: t.createdAt, key: 'created', render: (_, a) => new Date(a.createdAt).toLocaleString(lang) },
              { title: t.status, key: 'status', render: (_, a) => <Flex vertical><Tag>{t[`app_${a.status}`]}</Tag>{a.reason && <Typography.Text type="secondary">{a.reason}</Typography.Text>}</Flex> },
              { title: t.actions, key: 'actions', render: (_, a) => a.status === 'pending' && (
                <Space>
                  <Button size="small" type="primary" loading={approve.isPending && approve.variables === a.id} onClick={() => approve.mutate(a.id)}>{t.approve}</Button>
                  <Button size="small" danger onClick={() => setRejecting(a)}>{t.reject}</Button>
                </Space>
              ) },
            ]}
          />
        )}
      </QueryView>
      <Modal open={!!rejecting} title={t.reject} onCancel={() => setRejecting(null)} onOk={() => form.submit()} okText={t.reject} cancelText={t.cancel} confirmLoading={reject.isPending} destroyOnHidden>
        <Form form={form} layout="vertical" name="reject" onFinish={(v) => rejecting && reject.mutate({ id: rejecting.id, reason: v.reason.trim() })}>
          <Form.Item label={t.rejectReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={3} maxLength={1000} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  )
}
