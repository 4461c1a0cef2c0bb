import { Compile } from 'typebox/compile'
import { CatalogEvents, MentorProfileV1, MentorRatedV1, MentorSuspendedV1 } from '@sunbae/contracts'
import type { MentorRecord, Rating, Version } from '../recommendations/mentor-index.ts'

/** What one catalog.mentor.* event means for matching's read model. */
export type CatalogChange =
  | { kind: 'profile'; mentorId: string; rec: MentorRecord; rating: Rating; version: Version }
  | { kind: 'rating'; mentorId: string; rating: Rating; version: Version }

// compiled once: an import announces 100,000 approvals in a burst
const checkProfile = Compile(MentorProfileV1)
const checkSuspended = Compile(MentorSuspendedV1)
const checkRated = Compile(MentorRatedV1)

const PROFILE_SUBJECTS = new Set<string>([CatalogEvents.mentorApproved.type, CatalogEvents.mentorUpdated.type, CatalogEvents.mentorReinstated.type])

export class BadCatalogEvent extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BadCatalogEvent'
  }
}

interface Envelope {
  id?: unknown
  type?: unknown
  occurredAt?: unknown
  data?: unknown
}

function fail(check: { Errors(v: unknown): Iterable<{ instancePath: string; message: string }> }, data: unknown, type: string): never {
  const first = [...check.Errors(data)][0]
  throw new BadCatalogEvent(`${type}: data${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`)
}

/**
 * Decodes an envelope of the CATALOG stream. Returns undefined for catalog.mentor.* events the
 * read model has no use for; throws BadCatalogEvent for a payload that does not match its contract
 * (retrying cannot fix it: it goes to the dead letters).
 */
export function decodeCatalogEvent(envelope: unknown): CatalogChange | undefined {
  const e = (envelope ?? {}) as Envelope
  if (typeof e.type !== 'string' || typeof e.id !== 'string' || typeof e.occurredAt !== 'string') throw new BadCatalogEvent('not an event envelope')
  const at = Date.parse(e.occurredAt)
  if (!Number.isFinite(at)) throw new BadCatalogEvent(`${e.type}: occurredAt is not a date`)
  const version: Version = { at, id: e.id.toLowerCase() }

  if (e.type === CatalogEvents.mentorRated.type) {
    if (!checkRated.Check(e.data)) fail(checkRated, e.data, e.type)
    const d = e.data as MentorRatedV1
    return { kind: 'rating', mentorId: d.mentorId.toLowerCase(), rating: { rating: d.rating, reviewCount: d.reviewCount }, version }
  }
  const suspended = e.type === CatalogEvents.mentorSuspended.type
  if (!suspended && !PROFILE_SUBJECTS.has(e.type)) return undefined
  const check = suspended ? checkSuspended : checkProfile
  if (!check.Check(e.data)) fail(check, e.data, e.type)
  const d = e.data as MentorProfileV1
  const rec: MentorRecord = {
    id: d.id.toLowerCase(),
    uid: d.uid,
    displayName: d.displayName,
    headline: d.headline,
    bio: d.bio,
    skills: d.skills,
    company: d.company,
    yearsExperience: d.yearsExperience,
    hourlyRate: d.hourlyRate,
    languages: d.languages,
    timezone: d.timezone,
    // the subject decides: a "suspended" event is a suspension whatever its payload says
    status: suspended ? 'suspended' : d.status,
    approvedAt: d.approvedAt,
  }
  return { kind: 'profile', mentorId: rec.id, rec, rating: { rating: d.rating, reviewCount: d.reviewCount }, version }
}

/**
 * Folds a batch of changes to the newest profile and the newest rating per mentor — profile
 * events carry the rating as of their time too, so both kinds compete for the rating.
 */
export function latestPerMentor(changes: Iterable<CatalogChange>): {
  profiles: Map<string, { rec: MentorRecord; version: Version }>
  ratings: Map<string, { rating: Rating; version: Version }>
} {
  const profiles = new Map<string, { rec: MentorRecord; version: Version }>()
  const ratings = new Map<string, { rating: Rating; version: Version }>()
  const newer = (a: Version, b: Version | undefined) => !b || a.at > b.at || (a.at === b.at && a.id > b.id)
  for (const c of changes) {
    if (c.kind === 'profile' && newer(c.version, profiles.get(c.mentorId)?.version)) profiles.set(c.mentorId, { rec: c.rec, version: c.version })
    if (newer(c.version, ratings.get(c.mentorId)?.version)) ratings.set(c.mentorId, { rating: c.rating, version: c.version })
  }
  return { profiles, ratings }
}
