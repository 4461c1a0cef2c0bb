// How `npm test` orders the suites' files: batches, longest expected first, taken from one queue by
// whichever worker is free (scripts/test.ts). Expected durations come from the last runs' own figures
// (.run/test/durations.json, written by every run) or, on a fresh clone, from the committed
// scripts/test-durations.json; a file neither knows counts as their median.
//
// Why: tap runs a lane's files in path order, so the suites' lane ended with whatever sorted last, and
// the journeys' lane, once done, left its slot idle (ci5 on 9d8e08a: journeys 518 s, suites 619 s, the
// two cores 26–87 % busy in that gap). Longest first (the LPT rule) leaves only short batches for the end,
// where three workers share them.
import fs from 'node:fs';

/** Expected milliseconds per test file (repo-relative path). */
export type Durations = Record<string, number>;

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The files in about `count` batches, longest files first: the files by expected time, longest first,
 * each joining the batch before while that stays within the total / `count`, else starting a new one.
 * Batches keep that order, so every batch's files are at least as long as any later batch's (a long file
 * never waits behind batches of short ones: ciB ordered batches by their sums, and five files of 80–100 s
 * ran last). A batch's files run one after another, so it costs one tap start (~1 CPU-s) for several
 * short files.
 */
export function planBatches(files: readonly string[], known: Durations, count: number): string[][] {
  if (!files.length) return [];
  const fallback = median(files.map((f) => known[f]).filter((ms): ms is number => typeof ms === 'number' && ms >= 0)) ?? 1;
  const expect = (f: string): number => {
    const ms = known[f];
    return typeof ms === 'number' && ms >= 0 ? ms : fallback;
  };
  const total = files.reduce((n, f) => n + expect(f), 0);
  const target = total / Math.max(1, count);
  const sorted = [...files].sort((a, b) => expect(b) - expect(a) || a.localeCompare(b));
  const batches: { files: string[]; ms: number }[] = [];
  let open: { files: string[]; ms: number } | null = null;
  for (const f of sorted) {
    const ms = expect(f);
    if (!open || open.ms + ms > target) batches.push((open = { files: [], ms: 0 }));
    open.files.push(f);
    open.ms += ms;
  }
  return batches.map((b) => b.files);
}

/** Each top-level test point of a raw TAP stream that names a file: `ok 12 - path # time=123.4ms`. */
export function fileTimes(tap: string): Durations {
  const out: Durations = {};
  for (const m of tap.matchAll(/^(?:not )?ok \d+ - (\S+\.test\.ts) # time=([\d.]+)ms/gm)) out[m[1]!] = Math.round(Number(m[2]));
  return out;
}

/** A durations file as an object; {} when it is missing or not one. */
export function readDurations(file: string): Durations {
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
    return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) as Durations;
  } catch {
    return {};
  }
}
