// Admin: accounts and their roles.
import { Flex, Input, Select, Table } from 'antd'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ROLES, type Me, type Role } from '@sunbae/contracts'
import { useFeedback } from '../../components/feedback.ts'
import { QueryView } from '../../components/States.tsx'
import { useI18n } from '../../i18n/index.tsx'
import { listUsers, setUserRole } from '../../services/catalog.ts'

export default function UsersList() {
  const { t, lang } = useI18n()
  const fb = useFeedback()
  const qc = useQueryClient()
  const [q, setQ] = useState('')
  const [role, setRole] = useState<Role | undefined>()
  const [page, setPage] = useState(1)
  const users = useQuery({ queryKey: ['admin-users', q, role, page], queryFn: () => listUsers(q, role, page) })
  const change = useMutation({
    mutationFn: (v: { uid: string; role: Role }) => setUserRole(v.uid, v.role),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: ['admin-users'] }); fb.success(t.roleChanged) },
    onError: fb.error,
  })
  const roleLabel = (r: Role) => (r === 'admin' ? t.roleAdmin : r === 'mentor' ? t.roleMentor : t.roleMentee)
  return (
    <Flex vertical gap={12}>
      <Flex gap={8} wrap>
        <Input.Search aria-label={t.searchUsers} placeholder={t.searchUsers} allowClear style={{ maxWidth: 360 }} onSearch={(v) => { setQ(v.trim()); setPage(1) }} />
        <Select aria-label={t.role} allowClear placeholder={t.role} style={{ width: 160 }} value={role} onChange={(v?: Role) => { setRole(v); setPage(1) }} options={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))} />
      </Flex>
      <QueryView query={users} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <Table<Me>
            rowKey="uid"
            size="small"
            scroll={{ x: true }}
            dataSource={d.items}
            pagination={{ current: page, pageSize: d.pageSize, total: d.total, onChange: setPage, hideOnSinglePage: true }}
            columns={[
              { title: t.displayName, key: 'name', render: (_, u) => u.displayName ?? '—' },
              { title: t.email, key: 'email', render: (_, u) => u.email ?? '—' },
              { title: t.createdAt, key: 'created', render: (_, u) => new Date(u.createdAt).toLocaleDateString(lang) },
              { title: t.role, key: 'role', render: (_, u) => (
                <Select<Role> aria-label={`${t.changeRole}: ${u.email ?? u.uid}`} size="small" style={{ width: 120 }} value={u.role}
                  loading={change.isPending && change.variables?.uid === u.uid}
                  onChange={(r) => change.mutate({ uid: u.uid, role: r })} options={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))} />
              ) },
            ]}
          />
        )}
      </QueryView>
    </Flex>
  )
}
