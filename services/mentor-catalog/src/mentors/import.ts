import { Type, type Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { v5 as uuidv5 } from 'uuid'
import { publishManyInTx } from '@sunbae/bus'
import { domainEvent } from '@sunbae/service-kit/events'
import { CatalogEvents, LANGUAGE_CODES, type EventActor } from '@sunbae/contracts'
import { Transactions, type Database } from '@sunbae/db'
import type { DB } from '../db/types.ts'
import { MentorsRepository } from './mentors.repository.ts'
import { toProfileEvent } from './mentors.mapper.ts'
import type { NewMentorRow } from './mentors.table.ts'

/** One line of ../shared/data/gen_mentors.py output. */
export const GenMentorRecord = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  display_name: Type.String({ minLength: 1, maxLength: 200 }),
  headline: Type.String({ minLength: 1, maxLength: 500 }),
  bio: Type.String({ minLength: 1, maxLength: 10_000 }),
  tags: Type.String(),
  company: Type.Union([Type.String(), Type.Null()]),
  years_experience: Type.Integer({ minimum: 0, maximum: 70 }),
  hourly_rate: Type.Integer({ minimum: 0 }),
  rating: Type.Number({ minimum: 0, maximum: 5 }),
  review_count: Type.Integer({ minimum: 0 }),
  languages: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
})
export type GenMentorRecord = Static<typeof GenMentorRecord>
// compiled once: checking 100,000 records with the interpreter costs seconds
const checkRecord = Compile(GenMentorRecord)

/**
 * The public id of an imported mentor: UUIDv5 of `gen_mentors:<id>` in the URL namespace, so a
 * re-import upserts instead of duplicating (Python: uuid.uuid5(uuid.NAMESPACE_URL, f"gen_mentors:{id}")).
 */
export const importedMentorId = (sourceId: number | string) => uuidv5(`gen_mentors:${sourceId}`, uuidv5.URL)

export class ImportError extends Error {
  readonly line: number
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.name = 'ImportError'
    this.line = line
  }
}

const LANGS = new Set<string>(LANGUAGE_CODES)
const splitList = (s: string) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))]

/** Parses and checks one line; throws ImportError naming the line and the field. */
export function parseRecord(text: string, line: number): NewMentorRow {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ImportError(line, `not JSON (${(err as Error).message})`)
  }
  if (!checkRecord.Check(json)) {
    const first = [...checkRecord.Errors(json)][0]
    const where = first?.instancePath ? first.instancePath.replace(/^\//, '') : 'record'
    throw new ImportError(line, `${where} ${first?.message ?? 'is invalid'}`)
  }
  const r = json
  const languages = splitList(r.languages)
  const unknown = languages.find((l) => !LANGS.has(l))
  if (unknown) throw new ImportError(line, `languages: "${unknown}" is not an ISO 639-1 code`)
  const createdAt = new Date(r.created_at)
  return {
    id: importedMentorId(r.id),
    uid: null,
    display_name: r.display_name,
    headline: r.headline,
    bio: r.bio,
    skills: splitList(r.tags),
    company: r.company,
    years_experience: r.years_experience,
    hourly_rate: r.hourly_rate,
    languages,
    timezone: 'Asia/Seoul',
    links: '[]',
    status: 'active',
    rating: r.rating.toFixed(2),
    review_count: r.review_count,
    // the exact sum behind the average, so later reviews keep it exact
    rating_total: (Math.round(r.rating * r.review_count * 100) / 100).toFixed(2),
    approved_at: createdAt,
    created_at: createdAt,
  }
}

export interface ImportStats {
  records: number
  inserted: number
  updated: number
  unchanged: number
}

const ACTOR: EventActor = { type: 'system', id: 'cli:import-mentors' }

/**
 * Writes one batch in one transaction: a multi-row upsert of the mentors and one multi-row insert
 * of their outbox events. New mentors are announced as approved; a changed record updates the
 * profile fields only (status, rating and reviews stay as they are) and is announced as updated;
 * an unchanged one is not touched and announces nothing, so re-importing a file is silent.
 */
export async function writeBatch(db: Database<DB>, rows: NewMentorRow[]): Promise<ImportStats> {
  if (rows.length === 0) return { records: 0, inserted: 0, updated: 0, unchanged: 0 }
  const mentors = new MentorsRepository(db)
  return new Transactions(db).run(async (trx) => {
    const written = await mentors.upsertProfiles(rows, trx)
    const events = written.map(({ inserted, ...row }) =>
      domainEvent(inserted ? CatalogEvents.mentorApproved : CatalogEvents.mentorUpdated, toProfileEvent(row), {
        source: 'mentor-catalog',
        actor: ACTOR,
        subject: { type: 'mentor', id: row.id },
      }),
    )
    await publishManyInTx(trx, events)
    const inserted = written.filter((w) => w.inserted).length
    return { records: rows.length, inserted, updated: written.length - inserted, unchanged: rows.length - written.length }
  })
}

/**
 * Imports JSONL lines in batches, each atomic. A bad line stops the import with an ImportError
 * naming it; the batches before it are committed (re-running after a fix upserts them again).
 */
export async function importMentors(
  db: Database<DB>,
  lines: AsyncIterable<string>,
  opts: { batchSize?: number; concurrency?: number; onBatch?: (stats: ImportStats, bytes: number) => void } = {},
): Promise<ImportStats> {
  const batchSize = opts.batchSize ?? 1_000
  const total: ImportStats = { records: 0, inserted: 0, updated: 0, unchanged: 0 }
  let batch: NewMentorRow[] = []
  // ids seen in this import: a multi-row upsert cannot touch the same row twice, and concurrent
  // batches must not either
  const seen = new Map<string, number>()
  let bytes = 0
  let lineNo = 0
  // The next batches are parsed while earlier ones are written, `concurrency` transactions at a time (default 1: measured faster on 2 cores shared with Postgres)
  // (mentor ids are unique across the file, so concurrent batches never touch the same rows).
  const concurrency = Math.max(1, opts.concurrency ?? 1)
  const inFlight: Promise<void>[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const rows = batch
    const batchBytes = bytes
    batch = []
    while (inFlight.length >= concurrency) await inFlight.shift()
    const p = writeBatch(db, rows).then((s) => {
      total.records += s.records
      total.inserted += s.inserted
      total.updated += s.updated
      total.unchanged += s.unchanged
      opts.onBatch?.(total, batchBytes)
    })
    // handled here so a failure surfaces at the next await instead of crashing the process
    p.catch(() => {})
    inFlight.push(p)
  }
  const drain = async () => {
    while (inFlight.length > 0) await inFlight.shift()
  }
  const readAll = async () => {
    for await (const text of lines) {
      lineNo++
      bytes += Buffer.byteLength(text) + 1
      if (text.trim() === '') continue
      const row = parseRecord(text, lineNo)
      const dup = seen.get(row.id!)
      if (dup !== undefined) throw new ImportError(lineNo, `repeats the id of line ${dup}`)
      seen.set(row.id!, lineNo)
      batch.push(row)
      if (batch.length >= batchSize) await flush()
    }
    await flush()
  }
  try {
    await readAll()
  } catch (err) {
    // a bad line: let the batches in flight finish (they are valid) before reporting
    await Promise.allSettled(inFlight)
    throw err
  }
  await drain()
  return total
}
