// mentor-catalog: accounts, mentors, search, reviews, applications, and its admin routes.
import type { AccountStatus, AdminMentor, AdminMentorListItem, AdminReview, AdminUser, Me, MentorStatus, ReviewVisibility, MentorApplication, MentorApplicationBody, MentorPage, MentorPhotoResult, MentorProfilePatch, MentorSearchResponse, MyMentorProfile, Paged, PutMeBody, Review, ReviewBody, Role } from '@sunbae/contracts'
import type { SearchState } from '../lib/search-state.ts'
import { toApiQuery } from '../lib/search-state.ts'
import { get, patch, post, put, request } from './http.ts'

const enc = encodeURIComponent

// PUT /api/me
export const putMe = (body: PutMeBody) => put<Me>('/api/me', body)
// GET /api/me
export const getMe = () => get<Me>('/api/me')
// GET /api/mentors?q=&skills=&languages=&minRate=&maxRate=&sort=&page=&pageSize=
export const searchMentors = (s: SearchState) => get<MentorSearchResponse>('/api/mentors', { ...toApiQuery(s) })
// GET /api/mentors/:id
export const getMentor = (id: string) => get<MentorPage>(`/api/mentors/${enc(id)}`)
// GET /api/mentors/:id/reviews?page=&pageSize=
export const getReviews = (id: string, page: number, pageSize = 10) => get<Paged<Review>>(`/api/mentors/${enc(id)}/reviews`, { page, pageSize })
// POST /api/mentors/:id/reviews
export const createReview = (id: string, body: ReviewBody) => post<Review>(`/api/mentors/${enc(id)}/reviews`, body)
// POST /api/mentors/applications
export const applyAsMentor = (body: MentorApplicationBody) => post<MentorApplication>('/api/mentors/applications', body)
// GET /api/mentors/applications/me
export const myApplications = () => get<MentorApplication[]>('/api/mentors/applications/me')
// GET /api/mentors/me
export const myMentorProfile = () => get<MyMentorProfile>('/api/mentors/me')
// PATCH /api/mentors/me
export const patchMyMentorProfile = (body: MentorProfilePatch) => patch<MyMentorProfile>('/api/mentors/me', body)
// PUT /api/mentors/me/photo — body: the image (image/jpeg|png|webp)
export const putMyPhoto = (image: Blob) => request<MentorPhotoResult>('PUT', '/api/mentors/me/photo', { body: image })
// DELETE /api/mentors/me/photo
export const deleteMyPhoto = () => request<null>('DELETE', '/api/mentors/me/photo')
// GET /api/admin/mentors/applications?status=&page=&pageSize=
export const listApplications = (status: 'pending' | 'approved' | 'rejected', page: number) =>
  get<Paged<MentorApplication>>('/api/admin/mentors/applications', { status, page, pageSize: 20 })
// POST /api/admin/mentors/applications/:id/approve
export const approveApplication = (id: string) => post<unknown>(`/api/admin/mentors/applications/${enc(id)}/approve`)
// POST /api/admin/mentors/applications/:id/reject
export const rejectApplication = (id: string, reason: string) => post<MentorApplication>(`/api/admin/mentors/applications/${enc(id)}/reject`, { reason })
// POST /api/admin/mentors/:id/suspend
export const suspendMentor = (id: string, reason: string) => post<AdminMentor>(`/api/admin/mentors/${enc(id)}/suspend`, { reason })
// POST /api/admin/mentors/:id/reinstate
export const reinstateMentor = (id: string, reason: string) => post<AdminMentor>(`/api/admin/mentors/${enc(id)}/reinstate`, { reason })
// GET /api/admin/users?q=&role=&status=&page=&pageSize=
export const listUsers = (f: { q: string; role: Role | undefined; status: AccountStatus | undefined; page: number }) =>
  get<Paged<AdminUser>>('/api/admin/users', { ...f, pageSize: 20 })
// POST /api/admin/users/:uid/disable
export const disableUser = (uid: string, reason: string) => post<AdminUser>(`/api/admin/users/${enc(uid)}/disable`, { reason })
// POST /api/admin/users/:uid/enable
export const enableUser = (uid: string, reason: string) => post<AdminUser>(`/api/admin/users/${enc(uid)}/enable`, { reason })
// GET /api/admin/mentors?q=&status=&page=&pageSize=
export const listAdminMentors = (f: { q: string; status: MentorStatus | undefined; page: number; pageSize: number }) =>
  get<Paged<AdminMentorListItem>>('/api/admin/mentors', f)
// GET /api/admin/reviews?from=&to=&q=&visibility=&page=&pageSize=
export const listAdminReviews = (f: { from: string; to: string; q: string; visibility: ReviewVisibility | undefined; page: number }) =>
  get<Paged<AdminReview>>('/api/admin/reviews', { ...f, pageSize: 20 })
// POST /api/admin/reviews/:id/hide
export const hideReview = (id: string, reason: string) => post<AdminReview>(`/api/admin/reviews/${enc(id)}/hide`, { reason })
// POST /api/admin/reviews/:id/restore
export const restoreReview = (id: string, reason: string) => post<AdminReview>(`/api/admin/reviews/${enc(id)}/restore`, { reason })
// PUT /api/admin/users/:uid/role
export const setUserRole = (uid: string, role: Role) => put<Me>(`/api/admin/users/${enc(uid)}/role`, { role })
// DELETE /api/me — body { confirm: 'DELETE' } (issue 21: delete my account)
export const deleteMe = () => request<{ deletedAt: string }>('DELETE', '/api/me', { body: { confirm: 'DELETE' } })
