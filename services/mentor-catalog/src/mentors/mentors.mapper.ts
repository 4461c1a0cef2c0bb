import type { AdminMentor, MentorProfile, MentorProfileV1, MentorStatus, MyMentorProfile } from '@sunbae/contracts'
import type { MentorRow } from './mentors.table.ts'

const iso = (d: Date | string) => new Date(d).toISOString()

/** The public URL of a mentor's photo (160 px; contracts' photoUrlOfSize gives the others), null without one. */
export const photoUrlOf = (row: Pick<MentorRow, 'id' | 'photo_hash'>): string | null =>
  row.photo_hash === null ? null : `/api/mentors/${row.id}/photo/${row.photo_hash}/160`

export function toMentorProfile(row: MentorRow): MentorProfile {
  return {
    id: row.id,
    displayName: row.display_name,
    headline: row.headline,
    bio: row.bio,
    skills: row.skills,
    company: row.company,
    yearsExperience: row.years_experience,
    hourlyRate: row.hourly_rate,
    languages: row.languages,
    timezone: row.timezone,
    links: row.links as string[],
    // numeric columns arrive as strings
    rating: Number(row.rating),
    reviewCount: row.review_count,
    approvedAt: iso(row.approved_at),
    photoUrl: photoUrlOf(row),
  }
}

export function toAdminMentor(row: MentorRow): AdminMentor {
  return { ...toMentorProfile(row), uid: row.uid, status: row.status as MentorStatus }
}

export function toMyMentorProfile(row: MentorRow & { uid: string }): MyMentorProfile {
  return { ...toMentorProfile(row), uid: row.uid, status: row.status as MentorStatus }
}

/** The event payload: the whole public profile plus status and account, so read models need no call back. */
export function toProfileEvent(row: MentorRow): MentorProfileV1 {
  return { ...toAdminMentor(row) }
}
