import type { TSchema } from 'typebox'

/**
 * One domain event of the contract: its type (= NATS subject), version and the schema of its data.
 * Producers publish and consumers subscribe with this object, so both are checked against the same schema.
 */
export interface EventDef<S extends TSchema = TSchema, T extends string = string> {
  readonly type: T
  readonly version: number
  readonly schema: S
}

/** An event of the contract, written next to the schema of its data (version 1 unless a later one is named). */
export const defineEvent = <T extends string, S extends TSchema>(type: T, schema: S, version = 1): EventDef<S, T> => ({ type, version, schema })
