import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Role } from '@sunbae/contracts'
import { identityHeaders } from '@sunbae/service-kit/testing'
import { createEmulatorUser, type EmulatorUser } from '@sunbae/testing'

export interface TestAccount {
  uid: string
  email: string
  user: EmulatorUser
  /** gateway-signed identity headers for the given role (as a fresh token would carry) */
  as(role: Role): Record<string, string>
  headers: Record<string, string>
}

/** A real Auth-emulator user, mirrored through PUT /api/me, with identity headers for inject. */
export async function account(app: FastifyInstance, opts: { role?: Role; name?: string } = {}): Promise<TestAccount> {
  const role = opts.role ?? 'mentee'
  const name = opts.name ?? `테스트 ${randomUUID().slice(0, 8)}`
  const user = await createEmulatorUser({ displayName: name, ...(role !== 'mentee' ? { claims: { role } } : {}) })
  const as = (r: Role) => identityHeaders({ uid: user.uid, email: user.email, name, role: r })
  const res = await app.inject({ method: 'PUT', url: '/api/me', headers: as(role), payload: { displayName: name } })
  if (res.statusCode >= 300) throw new Error(`PUT /api/me: ${res.statusCode} ${res.body}`)
  return { uid: user.uid, email: user.email, user, as, headers: as(role) }
}

/** Headers of an admin who exists only as a signed identity (admin routes never call Firebase for the caller). */
export const adminHeaders = () => identityHeaders({ uid: `admin-${randomUUID()}`, role: 'admin', name: 'Admin' })

export const application = (over: Record<string, unknown> = {}) => ({
  headline: '백엔드 개발자 · 면접 멘토링',
  bio: '네이버에서 7년째 서버 개발을 하고 있습니다. 이직과 면접 준비를 도와드려요.',
  skills: ['python', 'django', '면접'],
  company: 'Naver',
  yearsExperience: 7,
  hourlyRate: 50000,
  languages: ['ko', 'en'],
  timezone: 'Asia/Seoul',
  links: ['https://github.com/example'],
  ...over,
})

/** Applies and gets approved: returns the account (now a mentor) and the public mentor id. */
export async function approvedMentor(app: FastifyInstance, over: Record<string, unknown> = {}): Promise<{ acct: TestAccount; mentorId: string }> {
  const acct = await account(app)
  const applied = await app.inject({ method: 'POST', url: '/api/mentors/applications', headers: acct.headers, payload: application(over) })
  if (applied.statusCode !== 201) throw new Error(`apply: ${applied.statusCode} ${applied.body}`)
  const approved = await app.inject({ method: 'POST', url: `/api/mentors/applications/${applied.json().id}/approve`.replace('/mentors/', '/admin/mentors/'), headers: adminHeaders() })
  if (approved.statusCode !== 200) throw new Error(`approve: ${approved.statusCode} ${approved.body}`)
  acct.headers = acct.as('mentor')
  return { acct, mentorId: approved.json().mentor.id }
}

/** The field names of a 400's details, sorted. */
export const fields = (body: { error: { details?: { field: string }[] } }) => (body.error.details ?? []).map((d) => d.field).sort()
