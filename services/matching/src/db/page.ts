/** A list query, ordered, that can be paged (a Kysely select, seen only as far as paging needs it). */
interface Pageable<R> {
  limit(n: number): { offset(n: number): { execute(): Promise<R[]> } }
}

/**
 * One page of an ordered list and the whole list's count, read at once (both in the repository's
 * executor). `count` selects the count as `n` (Postgres answers a bigint as a string).
 */
export async function readPage<R>(
  rows: Pageable<R>,
  count: { executeTakeFirstOrThrow(): Promise<{ n: string }> },
  p: { page: number; pageSize: number },
): Promise<{ rows: R[]; total: number }> {
  const [page, counted] = await Promise.all([rows.limit(p.pageSize).offset((p.page - 1) * p.pageSize).execute(), count.executeTakeFirstOrThrow()])
  return { rows: page, total: Number(counted.n) }
}
