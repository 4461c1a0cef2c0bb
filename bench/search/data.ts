import type { SearchDoc } from '@sunbae/mentor-catalog/search-types'

/** A record of ../shared/data/gen_mentors.py. */
export interface GeneratedMentor {
  id: number
  display_name: string
  headline: string
  bio: string
  tags: string
  company: string | null
  years_experience: number
  hourly_rate: number
  rating: number
  review_count: number
  languages: string
  created_at: string
}

/** Deterministic UUID for generated mentor n (so tests and benches can map back). */
export const generatedUuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

export function fromGenerated(m: GeneratedMentor): SearchDoc {
  return {
    id: generatedUuid(m.id),
    displayName: m.display_name,
    headline: m.headline,
    bio: m.bio,
    skills: m.tags.split(',').filter(Boolean),
    company: m.company,
    yearsExperience: m.years_experience,
    hourlyRate: m.hourly_rate,
    languages: m.languages.split(',').filter(Boolean),
    timezone: 'Asia/Seoul',
    rating: m.rating,
    reviewCount: m.review_count,
  }
}
