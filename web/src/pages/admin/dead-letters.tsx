// Admin: dead letters (tracking's API over the DEADLETTER stream) — the messages a consumer gave up
// on, oldest first, by consumer and original subject; one opens with the event and the error's
// stack; selected ones are redriven (published again on their subject) once the cause is fixed, with
// a reason (the audit trail keeps it).
import { Alert, Button, Drawer, Flex, Form, Input, Modal, Table, Tag, Typography } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { DeadLetterSummary } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { deadLetter, deadLetters, redrive } from '../../services/admin-ops.ts'

function DeadLetterBody({ seq }: { seq: number }) {
  const detail = useQuery({ queryKey: ['dead-letter', seq], queryFn: () => deadLetter(seq) })
  return (
    <QueryView query={detail}>
      {(d) => <pre data-testid="dead-letter-body" style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontSize: 12 }}>{JSON.stringify(d.body, null, 2)}</pre>}
    </QueryView>
  )
}

export default function DeadLettersAdmin() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [filter, setFilter] = useState<{ durable?: string; subject?: string }>({})
  const [after, setAfter] = useState<number[]>([])
  const [selected, setSelected] = useState<number[]>([])
  const [open, setOpen] = useState<number | null>(null)
  const [redriving, setRedriving] = useState<number[] | null>(null)
  const [form] = Form.useForm<{ reason: string }>()
  const afterSeq = after.at(-1)
  const list = useQuery({ queryKey: ['dead-letters', filter, afterSeq], queryFn: () => deadLetters({ ...filter, afterSeq }) })
  const run = useMutation({
    mutationFn: (v: { seqs: number[]; reason: string }) => redrive(v.seqs, v.reason),
    onSuccess: (r) => {
      fb.success(t.redriveDone(r.redriven.length, r.skipped.length))
      setSelected([])
      setRedriving(null)
      form.resetFields()
      void qc.invalidateQueries({ queryKey: ['dead-letters'] })
    },
    onError: fb.error,
  })
  return (
    <Flex vertical gap={12}>
      <Alert type="info" showIcon message={t.redriveHint} />
      <Flex wrap gap={8} justify="space-between">
        <Form layout="inline" name="dead-letter-filter" onFinish={(v: { durable?: string; subject?: string }) => {
          setFilter(Object.fromEntries(Object.entries(v).filter(([, x]) => x && x.trim()).map(([k, x]) => [k, x!.trim()])))
          setAfter([])
          setSelected([])
        }}>
          <Form.Item label={t.deadLetterConsumer} name="durable"><Input placeholder="payment_meeting_bookings" style={{ width: 220 }} /></Form.Item>
          <Form.Item label={t.deadLetterSubject} name="subject"><Input placeholder="meeting.booking.>" style={{ width: 200 }} /></Form.Item>
          <Button htmlType="submit">{t.filterApply}</Button>
        </Form>
        <Button type="primary" danger disabled={!selected.length} loading={run.isPending} onClick={() => setRedriving(selected)}>{t.redriveSelected(selected.length)}</Button>
      </Flex>
      <QueryView query={list} isEmpty={(d) => d.items.length === 0} empty={t.noDeadLetters}>
        {(d) => (
          <>
            <Typography.Text type="secondary">{t.count}: {d.total}</Typography.Text>
            <Table<DeadLetterSummary> rowKey="seq" size="small" scroll={{ x: 'max-content' }} dataSource={d.items} pagination={false} data-testid="dead-letters"
              rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]), getCheckboxProps: (r) => ({ disabled: !r.redrivable, 'aria-label': `#${r.seq}` }) }}
              columns={[
                { title: '#', dataIndex: 'seq' },
                { title: t.deadLetterFailedAt, key: 'at', render: (_, r) => (r.failedAt ? new Date(r.failedAt).toLocaleString(lang) : '—') },
                { title: t.deadLetterConsumer, dataIndex: 'consumer' },
                { title: t.deadLetterSubject, key: 'subject', render: (_, r) => <Typography.Text code>{r.originalSubject}</Typography.Text> },
                { title: t.deadLetterDeliveries, key: 'n', render: (_, r) => r.deliveries ?? '—' },
                { title: t.deadLetterError, key: 'error', render: (_, r) => <Flex vertical><Tag color="red">{r.error.name ?? 'Error'}</Tag><Typography.Text style={{ fontSize: 12, maxWidth: 360 }} ellipsis={{ tooltip: r.error.message }}>{r.error.message ?? ''}</Typography.Text></Flex> },
                { title: '', key: 'actions', render: (_, r) => (
                  <Flex gap={4}>
                    <Button size="small" onClick={() => setOpen(r.seq)}>{t.show}</Button>
                    {r.redrivable && <Button size="small" onClick={() => setRedriving([r.seq])}>{t.redrive}</Button>}
                  </Flex>
                ) },
              ]} />
            <Flex gap={8}>
              <Button aria-label="previous page" disabled={!after.length} onClick={() => setAfter((a) => a.slice(0, -1))}>←</Button>
              <Button aria-label="next page" disabled={d.nextSeq === null} onClick={() => d.nextSeq !== null && setAfter((a) => [...a, d.nextSeq!])}>→</Button>
            </Flex>
          </>
        )}
      </QueryView>
      <Modal open={!!redriving} title={redriving ? t.redriveSelected(redriving.length) : ''} onCancel={() => setRedriving(null)} onOk={() => form.submit()} okText={t.redrive}
        cancelText={t.cancel} confirmLoading={run.isPending} destroyOnHidden>
        <Typography.Paragraph type="secondary">{redriving?.map((s) => `#${s}`).join(', ')}</Typography.Paragraph>
        <Form form={form} layout="vertical" name="redrive" onFinish={(v) => redriving && run.mutate({ seqs: redriving, reason: v.reason.trim() })}>
          <Form.Item label={t.adminReason} name="reason" rules={[{ required: true, whitespace: true, message: t.required }]}>
            <Input.TextArea rows={2} maxLength={500} showCount />
          </Form.Item>
        </Form>
      </Modal>
      <Drawer open={open !== null} onClose={() => setOpen(null)} title={`${t.adminDeadLetters} #${open ?? ''}`} size={720} destroyOnHidden>
        {open !== null && <DeadLetterBody seq={open} />}
      </Drawer>
    </Flex>
  )
}
