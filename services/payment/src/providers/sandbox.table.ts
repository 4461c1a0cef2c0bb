import type { Insertable, Selectable } from 'kysely'
import type { SandboxCharges } from '../db/types.ts'

/** the sandbox's own books: what a real processor would keep on its side */
export type SandboxChargeRow = Selectable<SandboxCharges>
export type NewSandboxChargeRow = Insertable<SandboxCharges>
