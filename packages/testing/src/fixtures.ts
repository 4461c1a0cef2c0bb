// @sunbae/testing/fixtures — test data that several services' tests share (no firebase-admin).
import { randomUUID } from 'node:crypto'
import type { MentorProfileV1 } from '@sunbae/contracts'

/**
 * An approved catalog mentor profile, as mentor-catalog's `catalog.mentor.*` events carry it, with a
 * fresh id and account uid (`mentor-<uuid>`). Pass what a test depends on: `uid` of a test user,
 * `hourlyRate` for prices, `timezone`, `status`.
 */
export function mentorProfile(over: Partial<MentorProfileV1> = {}): MentorProfileV1 {
  return {
    id: randomUUID(),
    uid: `mentor-${randomUUID()}`,
    displayName: '김멘토',
    headline: '백엔드 개발자',
    bio: '서버 개발을 하고 있습니다.',
    skills: ['java'],
    company: 'Naver',
    yearsExperience: 5,
    hourlyRate: 50_000,
    languages: ['ko'],
    timezone: 'Asia/Seoul',
    links: [],
    status: 'active',
    rating: 0,
    reviewCount: 0,
    approvedAt: new Date().toISOString(),
    ...over,
  }
}
