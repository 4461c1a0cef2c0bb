// matching: preferences, recommendations, chat requests, matches, mentor settings.
import type { ChatRequest, HiddenMentor, Match, MentorSettings, MentorSettingsBody, Paged, Preferences, PreferencesBody, RecommendationsResponse, RequestState } from '@sunbae/contracts'
import { del, get, post, put } from './http.ts'

const enc = encodeURIComponent

// GET /api/matching/preferences
export const getPreferences = () => get<Preferences>('/api/matching/preferences')
// PUT /api/matching/preferences
export const putPreferences = (body: PreferencesBody) => put<Preferences>('/api/matching/preferences', body)
// GET /api/matching/recommendations?limit=
export const getRecommendations = (limit = 10) => get<RecommendationsResponse>('/api/matching/recommendations', { limit })
// POST /api/matching/recommendations/hidden
export const hideMentor = (mentorId: string) => post<HiddenMentor>('/api/matching/recommendations/hidden', { mentorId })
// GET /api/matching/recommendations/hidden
export const hiddenMentors = () => get<HiddenMentor[]>('/api/matching/recommendations/hidden')
// DELETE /api/matching/recommendations/hidden/:mentorId
export const unhideMentor = (mentorId: string) => del<null>(`/api/matching/recommendations/hidden/${enc(mentorId)}`)
// POST /api/matching/requests
export const createRequest = (mentorId: string, message: string) => post<ChatRequest>('/api/matching/requests', { mentorId, message })
// GET /api/matching/requests?box=&state=&page=&pageSize=
export const listRequests = (box: 'inbox' | 'outbox', page: number, state?: RequestState) =>
  get<Paged<ChatRequest>>('/api/matching/requests', { box, page, pageSize: 20, state })
// POST /api/matching/requests/:id/accept
export const acceptRequest = (id: string) => post<ChatRequest>(`/api/matching/requests/${enc(id)}/accept`)
// POST /api/matching/requests/:id/decline
export const declineRequest = (id: string, reason: string) => post<ChatRequest>(`/api/matching/requests/${enc(id)}/decline`, { reason })
// POST /api/matching/requests/:id/cancel
export const cancelRequest = (id: string) => post<ChatRequest>(`/api/matching/requests/${enc(id)}/cancel`)
// GET /api/matching/matches?as=&state=&page=&pageSize=
export const listMatches = (as: 'mentee' | 'mentor', page: number) => get<Paged<Match>>('/api/matching/matches', { as, page, pageSize: 20 })
// POST /api/matching/matches/:id/end
export const endMatch = (id: string, reason?: string) => post<Match>(`/api/matching/matches/${enc(id)}/end`, reason ? { reason } : {})
// GET /api/matching/mentor-settings
export const getMentorSettings = () => get<MentorSettings>('/api/matching/mentor-settings')
// PUT /api/matching/mentor-settings
export const putMentorSettings = (body: MentorSettingsBody) => put<MentorSettings>('/api/matching/mentor-settings', body)
