import type { Selectable } from 'kysely'
import type { DB } from '../db/types.ts'

export type RoomAttendanceRow = Selectable<DB['room_attendance']>
export type RoomParty = 'mentee' | 'mentor'
