// Admin: accounts — search by email or name, role, enabled/disabled/deleted (by their owner: no actions); the last sign-in Firebase
// recorded; change the role; disable / enable with a reason (a disabled account is refused at once
// by every gateway replica, and cannot sign in).
import { Button, Flex, Input, Segmented, Select, Table, Tag, Typography } from 'antd'
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ROLES, type AccountStatus, type AdminUser, type Role } from '@sunbae/contracts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { ReasonDialog } from '../../components/ReasonDialog.tsx'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { disableUser, enableUser, listUsers, setUserRole } from '../../services/catalog.ts'

export default function UsersList() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const { user: me } = useAuth()
  const [q, setQ] = useState('')
  const [role, setRole] = useState<Role | undefined>()
  const [status, setStatus] = useState<AccountStatus | 'all'>('all')
  const [page, setPage] = useState(1)
  const [acting, setActing] = useState<{ user: AdminUser; action: 'disable' | 'enable' } | null>(null)
  const users = useQuery({
    queryKey: ['admin-users', q, role, status, page],
    queryFn: () => listUsers({ q, role, status: status === 'all' ? undefined : status, page }),
    placeholderData: keepPreviousData,
  })
  const change = useMutation({
    mutationFn: (v: { uid: string; role: Role }) => setUserRole(v.uid, v.role),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: ['admin-users'] }); fb.success(t.roleChanged) },
    onError: fb.error,
  })
  const access = useMutation({
    mutationFn: (v: { uid: string; action: 'disable' | 'enable'; reason: string }) => (v.action === 'disable' ? disableUser(v.uid, v.reason) : enableUser(v.uid, v.reason)),
    onSuccess: (_u, v) => { setActing(null); void qc.invalidateQueries({ queryKey: ['admin-users'] }); fb.success(v.action === 'disable' ? t.userDisabled : t.userEnabled) },
    onError: fb.error,
  })
  const roleLabel = (r: Role) => (r === 'admin' ? t.roleAdmin : r === 'mentor' ? t.roleMentor : t.roleMentee)
  const who = (u: AdminUser) => u.displayName ?? u.email ?? u.uid
  return (
    <Flex vertical gap={12}>
      <Flex gap={8} wrap align="center">
        <Input.Search aria-label={t.searchUsers} placeholder={t.searchUsers} allowClear style={{ maxWidth: 360 }} onSearch={(v) => { setQ(v.trim()); setPage(1) }} />
        <Select aria-label={t.role} allowClear placeholder={t.role} style={{ width: 160 }} value={role} onChange={(v?: Role) => { setRole(v); setPage(1) }} options={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))} />
        <Segmented<AccountStatus | 'all'> aria-label={t.status} value={status} onChange={(v) => { setStatus(v); setPage(1) }}
          options={[{ value: 'all', label: t.allStatuses }, { value: 'enabled', label: t.accountEnabled }, { value: 'disabled', label: t.accountDisabled }, { value: 'deleted', label: t.accountDeleted }]} />
      </Flex>
      <QueryView query={users} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<AdminUser>
            rowKey="uid"
            size="small"
            scroll={{ x: true }}
            dataSource={d.items}
            data-testid="admin-users"
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
            columns={[
              { title: t.displayName, key: 'name', render: (_, u) => u.displayName ?? '—' },
              { title: t.email, key: 'email', render: (_, u) => u.email ?? '—' },
              { title: t.lastSignIn, key: 'signin', render: (_, u) => (u.lastSignInAt ? new Date(u.lastSignInAt).toLocaleString(lang) : '—') },
              { title: t.createdAt, key: 'created', render: (_, u) => new Date(u.createdAt).toLocaleDateString(lang) },
              { title: t.role, key: 'role', render: (_, u) => (
                <Select<Role> aria-label={`${t.changeRole}: ${u.email ?? u.uid}`} size="small" style={{ width: 120 }} value={u.role} disabled={u.status === 'deleted'}
                  loading={change.isPending && change.variables?.uid === u.uid}
                  onChange={(r) => change.mutate({ uid: u.uid, role: r })} options={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))} />
              ) },
              { title: t.status, key: 'status', render: (_, u) => (
                <Flex vertical>
                  <Tag color={u.status === 'enabled' ? 'green' : u.status === 'deleted' ? undefined : 'red'} style={{ width: 'fit-content' }}>{u.status === 'enabled' ? t.accountEnabled : u.status === 'deleted' ? t.accountDeleted : t.accountDisabled}</Tag>
                  {u.deletedAt && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{new Date(u.deletedAt).toLocaleString(lang)}</Typography.Text>}
                  {u.disabledReason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{u.disabledReason}</Typography.Text>}
                </Flex>
              ) },
              { title: t.actions, key: 'actions', render: (_, u) => u.status === 'deleted'
                ? null
                : u.status === 'enabled'
                ? <Button size="small" danger disabled={u.uid === me?.uid} onClick={() => setActing({ user: u, action: 'disable' })}>{t.disableAccount}</Button>
                : <Button size="small" onClick={() => setActing({ user: u, action: 'enable' })}>{t.enableAccount}</Button> },
            ]}
          />
        )}
      </QueryView>
      <ReasonDialog open={!!acting} pending={access.isPending} danger={acting?.action === 'disable'}
        title={acting ? (acting.action === 'disable' ? t.disableTitle(who(acting.user)) : t.enableTitle(who(acting.user))) : ''}
        hint={acting?.action === 'disable' ? t.disableHint : t.enableHint}
        okText={acting?.action === 'disable' ? t.disableAccount : t.enableAccount}
        onCancel={() => setActing(null)}
        onSubmit={(reason) => acting && access.mutate({ uid: acting.user.uid, action: acting.action, reason })} />
    </Flex>
  )
}
