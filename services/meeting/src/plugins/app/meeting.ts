import type { Static } from 'typebox'
import type { configSchema } from '../../config.ts'
import { Transactions } from '@sunbae/db'
import { domainPlugin, serviceIdentityKeys } from '@sunbae/service-kit'
import { meetingDatabase } from '../../db/database.ts'
import { AvailabilityRepository } from '../../availability/availability.repository.ts'
import { AvailabilityService } from '../../availability/availability.service.ts'
import { BookingAdmin } from '../../bookings/booking-admin.service.ts'
import { BookingsRepository } from '../../bookings/bookings.repository.ts'
import { BookingCommands } from '../../bookings/booking-commands.service.ts'
import { BookingRules } from '../../bookings/booking-rules.ts'
import { BookingSweeps } from '../../bookings/booking-sweeps.service.ts'
import { PaymentEventHandlers } from '../../bookings/payment-events.service.ts'
import { meetingJobs } from '../../jobs.ts'
import { ReadModelEventHandlers } from '../../readmodel/readmodel-events.service.ts'
import { ReadModelRepository } from '../../readmodel/readmodel.repository.ts'
import { RoomAttendanceRepository } from '../../rooms/room-attendance.repository.ts'
import { RoomTokens } from '../../rooms/room-tokens.ts'
import { RoomsService } from '../../rooms/rooms.service.ts'
import { JitsiProvider, WebRtcProvider, type VideoProvider } from '../../rooms/video-provider.ts'
import { VideoRoomsFirestore } from '../../rooms/video-rooms.firestore.ts'

declare module 'fastify' {
  interface FastifyInstance {
    readModel: ReadModelRepository
    readModelEventHandlers: ReadModelEventHandlers
    availability: AvailabilityService
    bookings: BookingCommands
    /** the admin's list, detail and cancellation on a party's behalf */
    bookingAdmin: BookingAdmin
    paymentEventHandlers: PaymentEventHandlers
    /** the sessions' video rooms: entering, presence, closing */
    videoRooms: RoomsService
  }
}

/** Meeting's repositories and domain services (for routes and `subscriptions.ts`), and the sweeper every replica runs (`jobs.ts`). */
export default domainPlugin<typeof configSchema>('meeting', ['firebase'], (app, config) => {
  const db = meetingDatabase(app.db)
  const transactions = new Transactions(db)
  const readModel = new ReadModelRepository(db)
  const bookings = new BookingsRepository(db)
  const rules = new BookingRules(bookings, app.events, {
    holdSeconds: Math.max(1, Math.round(config.MEETING_HOLD_MINUTES * 60)),
    webBaseUrl: config.WEB_BASE_URL,
    currency: config.MEETING_CURRENCY,
    noShowWindowHours: config.MEETING_NO_SHOW_WINDOW_HOURS,
  })
  app.decorate('readModel', readModel)
  app.decorate('readModelEventHandlers', new ReadModelEventHandlers(readModel))
  app.decorate('availability', new AvailabilityService(transactions, new AvailabilityRepository(db), app.events, readModel))
  const attendance = new RoomAttendanceRepository(db)
  app.decorate('bookings', new BookingCommands(transactions, bookings, rules, app.events, app.availability, readModel, attendance))
  app.decorate('bookingAdmin', new BookingAdmin(bookings, app.bookings))
  app.decorate('paymentEventHandlers', new PaymentEventHandlers(bookings, rules, app.events))
  app.decorate(
    'videoRooms',
    new RoomsService(
      transactions,
      bookings,
      attendance,
      RoomTokens.fromSecrets(config.MEETING_ROOM_SECRET, serviceIdentityKeys(config, 'meeting')[0]!),
      videoProvider(config),
      new VideoRoomsFirestore(() => app.firestore),
      { opensBeforeMinutes: config.MEETING_ROOM_OPENS_BEFORE_MINUTES, closesAfterMinutes: config.MEETING_ROOM_CLOSES_AFTER_MINUTES },
    ),
  )

  meetingJobs(app, new BookingSweeps(transactions, bookings, rules, app.events), config)
})

const list = (s: string) => s.split(',').map((u) => u.trim()).filter(Boolean)

/** The room behind the join link (checkConfig has made sure the chosen one is configured). */
function videoProvider(config: Static<typeof configSchema>): VideoProvider {
  if (config.MEETING_VIDEO_PROVIDER === 'jitsi') {
    return new JitsiProvider({ domain: config.MEETING_JITSI_DOMAIN!, appId: config.MEETING_JITSI_APP_ID!, appSecret: config.MEETING_JITSI_APP_SECRET! })
  }
  return new WebRtcProvider({
    stunUrls: list(config.MEETING_STUN_URLS),
    turnUrls: list(config.MEETING_TURN_URLS),
    turnSecret: config.MEETING_TURN_SECRET,
    turnTtlSeconds: config.MEETING_TURN_TTL_SECONDS,
    iceTransportPolicy: config.MEETING_ICE_TRANSPORT_POLICY,
  })
}
