import type { FastifyInstance } from 'fastify'
import {
  MEETING_LIMITS,
  MeetingEvents,
  type Availability,
  type AvailabilityBody,
  type DateOverride,
  type Identity,
  type SlotsQuery,
  type SlotsResponse,
  type WeeklyHours,
} from '@sunbae/contracts'
import { actorOf, AppError, badRequest, conflict, notFound } from '@sunbae/service-kit'
import type { Transactions, Tx } from '../db/database.ts'
import type { ReadModelRepository } from '../readmodel/readmodel.repository.ts'
import type { AvailabilityRepository } from './availability.repository.ts'
import type { AvailabilityRow } from './availability.table.ts'
import { blockOf, computeSlots, inZone, isValidZone, localDate, type Schedule, type Span } from './slots.ts'

const DAY = 86_400_000

export function scheduleOf(row: AvailabilityRow): Schedule {
  return {
    timezone: row.timezone,
    weekly: row.weekly as WeeklyHours,
    overrides: row.overrides as DateOverride[],
    slotIntervalMin: row.slot_interval_min,
    bufferBeforeMin: row.buffer_before_min,
    bufferAfterMin: row.buffer_after_min,
    minNoticeMin: row.min_notice_min,
    horizonDays: row.horizon_days,
    maxPerDay: row.max_per_day,
  }
}

function toAvailability(row: AvailabilityRow): Availability {
  return {
    mentorId: row.mentor_id,
    timezone: row.timezone,
    weekly: row.weekly as WeeklyHours,
    overrides: row.overrides as DateOverride[],
    durations: row.durations,
    slotIntervalMin: row.slot_interval_min,
    bufferBeforeMin: row.buffer_before_min,
    bufferAfterMin: row.buffer_after_min,
    minNoticeMin: row.min_notice_min,
    horizonDays: row.horizon_days,
    maxPerDay: row.max_per_day,
    pricePerHour: row.price_per_hour,
    fullRefundHours: row.full_refund_hours,
    partialRefundHours: row.partial_refund_hours,
    partialRefundPercent: row.partial_refund_percent,
    rescheduleNoticeHours: row.reschedule_notice_hours,
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

/** What JSON Schema cannot say: windows in order and apart, one override per date, a real zone. */
function validate(body: AvailabilityBody): void {
  if (!isValidZone(body.timezone)) throw badRequest(`Unknown time zone ${body.timezone}`, [{ field: 'body/timezone', message: 'must be an IANA zone' }])
  const checkWindows = (windows: { start: string; end: string }[], field: string) => {
    const sorted = [...windows].sort((a, b) => a.start.localeCompare(b.start))
    sorted.forEach((w, i) => {
      if (w.end <= w.start) throw badRequest(`${field}: ${w.start}–${w.end} ends before it starts`, [{ field, message: 'end must be after start' }])
      const next = sorted[i + 1]
      if (next && next.start < w.end) throw badRequest(`${field}: ${w.start}–${w.end} overlaps ${next.start}–${next.end}`, [{ field, message: 'windows overlap' }])
    })
  }
  for (const [day, windows] of Object.entries(body.weekly)) checkWindows(windows ?? [], `body/weekly/${day}`)
  const dates = new Set<string>()
  body.overrides.forEach((o, i) => {
    if (dates.has(o.date)) throw badRequest(`Two overrides for ${o.date}`, [{ field: `body/overrides/${i}/date`, message: 'one override per date' }])
    dates.add(o.date)
    checkWindows(o.windows, `body/overrides/${i}/windows`)
  })
  if (new Set(body.durations).size !== body.durations.length) throw badRequest('Session lengths repeat', [{ field: 'body/durations', message: 'must be unique' }])
  if (body.partialRefundHours > body.fullRefundHours) {
    throw badRequest('partialRefundHours must not exceed fullRefundHours', [{ field: 'body/partialRefundHours', message: 'must be ≤ fullRefundHours' }])
  }
}

/** A mentor's schedule (their own, edited by them) and the free slots it leaves (public). */
export class AvailabilityService {
  readonly #transactions: Transactions
  readonly #repo: AvailabilityRepository
  readonly #readModel: ReadModelRepository
  readonly #events: FastifyInstance['events']

  constructor(transactions: Transactions, repo: AvailabilityRepository, events: FastifyInstance['events'], readModel: ReadModelRepository) {
    this.#transactions = transactions
    this.#repo = repo
    this.#events = events
    this.#readModel = readModel
  }

  async find(mentorId: string, trx?: Tx): Promise<AvailabilityRow | undefined> {
    return this.#repo.find(mentorId, trx)
  }

  async #ownProfile(identity: Identity) {
    const mentor = await this.#readModel.mentorByUid(identity.uid)
    if (!mentor) throw notFound('You have no approved mentor profile yet', 'NO_MENTOR_PROFILE')
    return mentor
  }

  async getOwn(identity: Identity): Promise<Availability> {
    const mentor = await this.#ownProfile(identity)
    const row = await this.find(mentor.id)
    if (!row) throw notFound('You have not set your availability yet', 'NO_AVAILABILITY')
    return toAvailability(row)
  }

  /** Replaces the schedule. Existing bookings stay as they are: they keep the buffers they were booked with. */
  async put(identity: Identity, body: AvailabilityBody): Promise<Availability> {
    validate(body)
    const mentor = await this.#ownProfile(identity)
    if (mentor.status !== 'active') throw conflict('Your mentor profile is suspended', 'MENTOR_SUSPENDED')
    const values = {
      mentor_id: mentor.id,
      mentor_uid: identity.uid,
      timezone: body.timezone,
      weekly: body.weekly,
      overrides: [...body.overrides].sort((a, b) => a.date.localeCompare(b.date)),
      durations: [...body.durations].sort((a, b) => a - b),
      slot_interval_min: body.slotIntervalMin ?? null,
      buffer_before_min: body.bufferBeforeMin,
      buffer_after_min: body.bufferAfterMin,
      min_notice_min: body.minNoticeMin,
      horizon_days: body.horizonDays,
      max_per_day: body.maxPerDay,
      price_per_hour: body.pricePerHour,
      full_refund_hours: body.fullRefundHours,
      partial_refund_hours: body.partialRefundHours,
      partial_refund_percent: body.partialRefundPercent,
      reschedule_notice_hours: body.rescheduleNoticeHours,
    }
    const row = await this.#transactions.run(async (trx) => {
      const saved = await this.#repo.save(values, trx)
      await this.#events.publish(
        trx,
        MeetingEvents.availabilityUpdated,
        { mentorId: saved.mentor_id, mentorUid: saved.mentor_uid, timezone: saved.timezone, durations: saved.durations, pricePerHour: saved.price_per_hour, updatedAt: new Date(saved.updated_at).toISOString() },
        { actor: actorOf(identity), subject: { type: 'availability', id: saved.mentor_id } },
      )
      return saved
    })
    this.#events.flushSoon()
    return toAvailability(row)
  }

  /** The mentor's active bookings in [from, to) as calendar blocks, and their count per local date. */
  async busy(mentorId: string, from: number, to: number, zone: string, trx?: Tx): Promise<{ busy: Span[]; perDay: Map<string, number> }> {
    const blocks = await this.#repo.busyBlocks(mentorId, from, to, trx)
    const perDay = new Map<string, number>()
    const busy = blocks.map((b) => {
      const date = localDate(b.startsAt, zone)
      perDay.set(date, (perDay.get(date) ?? 0) + 1)
      return { start: b.start, end: b.end }
    })
    return { busy, perDay }
  }

  async slots(mentorId: string, q: SlotsQuery, now = Date.now()): Promise<SlotsResponse> {
    const from = Date.parse(q.from)
    const to = Date.parse(q.to)
    if (!(to > from)) throw badRequest('`to` must be after `from`', [{ field: 'querystring/to', message: 'must be after from' }])
    if (to - from > MEETING_LIMITS.maxSlotRangeDays * DAY) {
      throw badRequest(`Ask for at most ${MEETING_LIMITS.maxSlotRangeDays} days at once`, [{ field: 'querystring/to', message: 'range too wide' }])
    }
    if (q.tz !== undefined && !isValidZone(q.tz)) throw badRequest(`Unknown time zone ${q.tz}`, [{ field: 'querystring/tz', message: 'must be an IANA zone' }])
    const mentor = await this.#readModel.mentorById(mentorId)
    const row = await this.find(mentorId)
    if (!mentor || mentor.status !== 'active' || !row) throw notFound('This mentor takes no bookings', 'NO_AVAILABILITY')
    const duration = q.duration ?? row.durations[0]!
    if (!row.durations.includes(duration)) throw new AppError(400, 'DURATION_NOT_OFFERED', `This mentor offers ${row.durations.join(' / ')} minute sessions`)
    const schedule = scheduleOf(row)
    // a day either side: blocks reaching into the range, and whole local days for the daily limit
    const { busy, perDay } = await this.busy(mentorId, from - DAY - blockPad(schedule), to + DAY + blockPad(schedule), schedule.timezone)
    const zone = q.tz ?? row.timezone
    const starts = computeSlots(schedule, { from, to, durationMin: duration, now, busy, perDay })
    return {
      mentorId,
      duration,
      timezone: zone,
      mentorTimezone: row.timezone,
      durations: row.durations,
      policy: { pricePerHour: row.price_per_hour, fullRefundHours: row.full_refund_hours, partialRefundHours: row.partial_refund_hours, partialRefundPercent: row.partial_refund_percent, rescheduleNoticeHours: row.reschedule_notice_hours },
      slots: starts.map((s) => {
        const e = s + duration * 60_000
        return { start: new Date(s).toISOString(), end: new Date(e).toISOString(), localStart: inZone(s, zone), localEnd: inZone(e, zone) }
      }),
    }
  }

  /**
   * Whether `start` is one of the schedule's slots for this duration, notice and horizon included —
   * existing bookings aside: the exclusion constraints decide those at insert time.
   */
  isSlot(row: AvailabilityRow, start: number, durationMin: number, now: number): boolean {
    const starts = computeSlots(scheduleOf(row), { from: start, to: start + 1, durationMin, now, busy: [] })
    return starts[0] === start
  }

  block(row: AvailabilityRow, start: number, durationMin: number): Span {
    return blockOf(scheduleOf(row), start, durationMin)
  }
}

const blockPad = (s: Schedule) => (s.bufferBeforeMin + s.bufferAfterMin + 24 * 60) * 60_000
