import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream'
import type { StreamDef } from '@sunbae/contracts'

const nanos = (ms: number) => ms * 1_000_000

/** `outdated`: its settings differ from the contract's, but this caller does not own it (see `owned`) and left it */
export type EnsureResult = { name: string; action: 'created' | 'updated' | 'unchanged' | 'outdated' }

export interface EnsureOptions {
  /**
   * The streams this caller may change (their publisher, @sunbae/contracts STREAM_OWNERS); the others
   * it only creates when missing. Its NATS user may update no other stream. Default: all.
   */
  owned?: readonly string[]
}

/** The fields we own. Anything else (replicas, placement) is left to ops and never reverted. */
function desired(def: StreamDef) {
  return {
    subjects: [...def.subjects],
    max_age: nanos(def.maxAgeMs),
    max_bytes: def.maxBytes > 0 ? def.maxBytes : -1,
    duplicate_window: nanos(def.duplicateWindowMs),
  }
}

const sameSubjects = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n')

/**
 * Declares streams idempotently; every service calls it at boot, so several replicas may race.
 * Only fields NATS 2.9 knows are sent. A stream's settings are brought up to date only by its owner.
 */
export async function ensureStreams(jsm: JetStreamManager, defs: readonly StreamDef[], opts: EnsureOptions = {}): Promise<EnsureResult[]> {
  const results: EnsureResult[] = []
  for (const def of defs) {
    const want = desired(def)
    const current = await jsm.streams.info(def.name).catch((err: unknown) => {
      if (isNotFound(err)) return null
      throw err
    })
    if (!current) {
      const config: Partial<StreamConfig> & { name: string } = {
        name: def.name,
        ...want,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
      }
      try {
        await jsm.streams.add(config)
        results.push({ name: def.name, action: 'created' })
        continue
      } catch (err) {
        // another replica created it between our info and add: fall through to the compare
        if (!(await jsm.streams.info(def.name).then(() => true, () => false))) throw err
      }
    }
    const cfg = (current ?? (await jsm.streams.info(def.name))).config
    const differs =
      !sameSubjects(cfg.subjects ?? [], want.subjects) ||
      cfg.max_age !== want.max_age ||
      cfg.max_bytes !== want.max_bytes ||
      cfg.duplicate_window !== want.duplicate_window
    if (differs && opts.owned && !opts.owned.includes(def.name)) {
      results.push({ name: def.name, action: 'outdated' })
    } else if (differs) {
      await jsm.streams.update(def.name, want)
      results.push({ name: def.name, action: 'updated' })
    } else {
      results.push({ name: def.name, action: 'unchanged' })
    }
  }
  return results
}

export function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown }
  return e?.code === 10059 || e?.code === 10014 || /not found/i.test(String(e?.message ?? ''))
}
