// Counts the results of a tap run from its raw TAP stream (what tap writes
// with `--reporter=tap` or into `--output-file`), with tap-parser, the parser
// tap itself uses.
//
// Counting rule: every leaf test point (an assertion, not the closing point of
// a subtest) counts once: passed, failed, skipped or todo. A subtest whose
// closing point failed while none of its assertions did (a test file that
// crashed before asserting, a timeout, a plan mismatch) counts as one failure;
// a subtest skipped as a whole (e.g. `t.plan(0, 'no Firestore')` in a file)
// counts as one skip.
import { Parser } from 'tap-parser';
import type { Result } from 'tap-parser';

export interface TapSummary {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  /** Full names of failed points ("file > subtest > assertion"). */
  failures: string[];
  /** Skipped points with their reasons. */
  skips: { name: string; reason: string }[];
  bailout: string | null;
}

interface Node {
  parent: Node | null;
  failed: number;
  lastChild: Node | null;
  leaves: number;
}

export class TapCounter {
  readonly summary: TapSummary = { passed: 0, failed: 0, skipped: 0, todo: 0, failures: [], skips: [], bailout: null };
  readonly parser: Parser;

  constructor() {
    this.parser = new Parser();
    this.attach(this.parser, { parent: null, failed: 0, lastChild: null, leaves: 0 }, []);
    this.parser.on('bailout', (reason: string) => {
      this.summary.bailout = reason || 'bailed out';
    });
  }

  private attach(p: Parser, node: Node, names: string[]): void {
    p.on('child', (c: Parser) => {
      const child: Node = { parent: node, failed: 0, lastChild: null, leaves: 0 };
      node.lastChild = child;
      this.attach(c, child, [...names, stripSubtest(c.name)]);
    });
    p.on('assert', (res: Result) => this.onAssert(res, node, names));
  }

  private bump(node: Node | null, field: 'failed' | 'leaves'): void {
    for (let n = node; n; n = n.parent) n[field]++;
  }

  private onAssert(res: Result, node: Node, names: string[]): void {
    const fullname = [...names, res.name].filter(Boolean).join(' > ');
    if (res.closingTestPoint) {
      const child = node.lastChild;
      if (res.skip && (!child || child.leaves === 0)) {
        this.summary.skipped++;
        this.summary.skips.push({ name: fullname, reason: reasonOf(res.skip) });
      } else if (!res.ok && !res.todo && !res.skip && (!child || child.failed === 0)) {
        this.summary.failed++;
        this.summary.failures.push(`${fullname}${describeDiag(res)}`);
        this.bump(node, 'failed');
      }
      return;
    }
    this.bump(node, 'leaves');
    if (res.todo) {
      this.summary.todo++;
    } else if (res.skip) {
      this.summary.skipped++;
      this.summary.skips.push({ name: fullname, reason: reasonOf(res.skip) });
    } else if (res.ok) {
      this.summary.passed++;
    } else {
      this.summary.failed++;
      this.summary.failures.push(fullname);
      this.bump(node, 'failed');
    }
  }

  write(chunk: string | Buffer): void {
    this.parser.write(chunk);
  }

  /** Ends the stream and resolves with the summary. */
  end(): Promise<TapSummary> {
    return new Promise((resolve) => {
      this.parser.on('complete', () => resolve(this.summary));
      this.parser.end();
    });
  }
}

function stripSubtest(name: string): string {
  return name.replace(/^#?\s*Subtest:\s*/, '').trim();
}

function reasonOf(skip: boolean | string): string {
  return typeof skip === 'string' && skip.trim() ? skip.trim() : 'no reason given';
}

function describeDiag(res: Result): string {
  const d = res.diag as Record<string, unknown> | null;
  if (!d) return '';
  const bits: string[] = [];
  if (typeof d.exitCode === 'number' && d.exitCode !== 0) bits.push(`exit code ${d.exitCode}`);
  if (typeof d.signal === 'string') bits.push(`signal ${d.signal}`);
  if (d.timeout || d.expired) bits.push('timed out');
  return bits.length ? ` (${bits.join(', ')})` : '';
}

/** Convenience for tests: summary of a complete TAP text. */
export async function summarizeTap(tap: string): Promise<TapSummary> {
  const c = new TapCounter();
  c.write(tap);
  return c.end();
}

/** The one line the test command ends with. */
export function resultLine(s: Pick<TapSummary, 'passed' | 'failed'>): string {
  return `${s.passed} passed, ${s.failed} failed`;
}
