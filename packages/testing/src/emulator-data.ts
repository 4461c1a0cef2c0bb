// The emulators' data on disk, in firebase-tools' export layout (so `firebase emulators:start
// --import DIR` reads it too):
//
//   DIR/firebase-export-metadata.json
//   DIR/auth_export/{accounts.json,config.json}        the Auth emulator's accounts and config
//   DIR/firestore_export/firestore_export.overall_export_metadata (+ data files)
//
// Written by the same REST calls firebase-tools' hub export makes, into a fresh folder that then
// replaces DIR in two renames, so an export interrupted at any point (kill -9, power) leaves the
// previous complete export in place. Read back at start: the Auth emulator through firebase-tools'
// `--import`, the Firestore jar through `--seed_from_export`.
import fs from 'node:fs';
import path from 'node:path';

export const METADATA_FILE = 'firebase-export-metadata.json';
const AUTH_PATH = 'auth_export';
const FIRESTORE_PATH = 'firestore_export';
const FIRESTORE_METADATA = `${FIRESTORE_PATH}/firestore_export.overall_export_metadata`;
// Owner access to the emulators' admin REST API (what firebase-tools sends).
const OWNER = { authorization: 'Bearer owner' };

interface ExportMetadata {
  version: string;
  auth?: { version: string; path: string };
  firestore?: { version: string; path: string; metadata_file: string };
}

/** The metadata of the export in `dir`, or null when there is none (or it cannot be read). */
export function readExportMetadata(dir: string): ExportMetadata | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, METADATA_FILE), 'utf8')) as ExportMetadata;
  } catch {
    return null;
  }
}

/** What a start should import from `dir`: firebase-tools' `--import` folder and the Firestore jar's seed file. */
export function importSources(dir: string): { auth?: string; firestoreSeed?: string } {
  const meta = readExportMetadata(dir);
  const out: { auth?: string; firestoreSeed?: string } = {};
  if (meta?.auth && fs.existsSync(path.join(dir, meta.auth.path, 'accounts.json'))) out.auth = dir;
  const seed = meta?.firestore ? path.join(dir, meta.firestore.metadata_file) : '';
  if (seed && fs.existsSync(seed)) out.firestoreSeed = seed;
  return out;
}

export interface ExportTargets {
  /** host:port of an Auth emulator to export, if any */
  auth?: string;
  /** host:port of a Firestore emulator to export, if any */
  firestore?: string;
  projectId: string;
}

export interface ExportResult {
  dir: string;
  /** accounts exported (when Auth was) */
  accounts?: number;
  /** the parts written now, and the parts carried over from the previous export */
  exported: ('auth' | 'firestore')[];
  kept: ('auth' | 'firestore')[];
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: OWNER, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

/**
 * Exports the given emulators' data into `dir` (replacing what was there). A part that is not
 * exported now (its emulator was not started by us) is carried over from the previous export, so
 * one missing emulator does not erase the other's saved data.
 */
export async function exportEmulatorData(dir: string, targets: ExportTargets): Promise<ExportResult> {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.new-`));
  try {
    const meta: ExportMetadata = { version: 'sunbae' };
    const result: ExportResult = { dir, exported: [], kept: [] };
    const previous = readExportMetadata(dir);
    if (targets.firestore) {
      // The Firestore emulator writes the export itself (it runs on this machine, same filesystem).
      const res = await fetch(`http://${targets.firestore}/emulator/v1/projects/${targets.projectId}:export`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...OWNER },
        body: JSON.stringify({ database: `projects/${targets.projectId}/databases/(default)`, export_directory: tmp, export_name: FIRESTORE_PATH }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`Firestore emulator export answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      meta.firestore = { version: 'jar', path: FIRESTORE_PATH, metadata_file: FIRESTORE_METADATA };
      result.exported.push('firestore');
    } else if (previous?.firestore && fs.existsSync(path.join(dir, previous.firestore.path))) {
      fs.cpSync(path.join(dir, previous.firestore.path), path.join(tmp, previous.firestore.path), { recursive: true });
      meta.firestore = previous.firestore;
      result.kept.push('firestore');
    }
    if (targets.auth) {
      const base = `http://${targets.auth}`;
      const accounts = (await getJson(`${base}/identitytoolkit.googleapis.com/v1/projects/${targets.projectId}/accounts:batchGet?maxResults=-1`)) as { users?: unknown[] };
      const config = await getJson(`${base}/emulator/v1/projects/${targets.projectId}/config`);
      fs.mkdirSync(path.join(tmp, AUTH_PATH));
      fs.writeFileSync(path.join(tmp, AUTH_PATH, 'accounts.json'), JSON.stringify(accounts));
      fs.writeFileSync(path.join(tmp, AUTH_PATH, 'config.json'), JSON.stringify(config));
      meta.auth = { version: 'sunbae', path: AUTH_PATH };
      result.accounts = accounts.users?.length ?? 0;
      result.exported.push('auth');
    } else if (previous?.auth && fs.existsSync(path.join(dir, previous.auth.path))) {
      fs.cpSync(path.join(dir, previous.auth.path), path.join(tmp, previous.auth.path), { recursive: true });
      meta.auth = previous.auth;
      result.kept.push('auth');
    }
    fs.writeFileSync(path.join(tmp, METADATA_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    // Swap: the old export moves aside, the new one takes its name, the old one goes.
    const old = `${tmp}.old`;
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
    return result;
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Leftovers of exports that were interrupted (a kill -9 between the steps above). */
export function removeInterruptedExports(dir: string): void {
  const parent = path.dirname(path.resolve(dir));
  const prefix = `.${path.basename(dir)}.new-`;
  let names: string[] = [];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  // An export interrupted between the two renames left only `<tmp>` (complete) and `<tmp>.old`.
  if (!fs.existsSync(dir)) {
    const complete = names.filter((n) => n.startsWith(prefix) && !n.endsWith('.old') && fs.existsSync(path.join(parent, n, METADATA_FILE)));
    const newest = complete.sort((a, b) => fs.statSync(path.join(parent, a)).mtimeMs - fs.statSync(path.join(parent, b)).mtimeMs).at(-1);
    if (newest) fs.renameSync(path.join(parent, newest), dir);
  }
  for (const n of fs.readdirSync(parent)) if (n.startsWith(prefix)) fs.rmSync(path.join(parent, n), { recursive: true, force: true });
}
