import type { ReasonKind, ReasonParams, RecommendationReason } from '@sunbae/contracts'

/** The params of a recommendation's reason of `kind` (undefined when it has none). */
export function paramsOf<K extends ReasonKind>(reasons: readonly RecommendationReason[], kind: K): ReasonParams<K> | undefined {
  const reason = reasons.find((r) => r.kind === kind)
  return reason?.params as ReasonParams<K> | undefined
}
