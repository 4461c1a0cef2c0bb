// A test file's own Postgres database and NATS server, so files that run at the same time never
// share state (npm test runs two files at a time).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  copyDatabase, databaseName, DEFAULT_ADMIN_URL, discoverServices, dropDatabase, listDatabases, migrateAll, renameDatabase,
  selectServices, setupDatabase, withDatabase,
} from '@sunbae/db';
import { findNatsServer, startPrivateNats } from './nats-server.ts';
import { ROOT } from './processes.ts';

export interface OwnInfrastructure {
  /** this file's database (admin URL): the run's database name + the file's */
  adminUrl: string;
  /** this file's NATS server (JetStream, empty store) */
  natsUrl: string;
}

/** The database of a test file: `<run's database>__<service>_<file>_<hash of its path>`, ≤ 63 characters. */
export function fileDatabaseName(runDatabase: string, testFile: string): string {
  const rel = path.relative(ROOT, path.resolve(testFile)).split(path.sep).join('/');
  const slug = rel.replace(/^(services|packages)\//, '').replace(/\/test\//, '_').replace(/(\.test)?\.ts$/, '').replace(/\W+/g, '_').toLowerCase();
  const hash = createHash('sha256').update(rel).digest('hex').slice(0, 6);
  const prefix = `${runDatabase}__`;
  return `${prefix}${slug.slice(0, 63 - prefix.length - 7)}_${hash}`;
}

/**
 * Gives the calling test file a database and a NATS server of its own, and points the process at
 * them: `DATABASE_URL` and `NATS_URL` are set, so the helpers, apps and child processes of the file
 * all use them. Every app of a service starts the same durable consumers, outbox relay and periodic
 * jobs: on a shared NATS one file's app consumed the events another file published, and on a shared
 * database one file's sweeper or sender acted on another file's rows. The database holds `services`'
 * schemas, migrated; it is dropped when the file ends (and, after a killed run, before the next one
 * creates it again). Without a nats-server binary the file shares NATS and the database, as before.
 */
export async function ownInfrastructure(opts: { services: string[]; testFile?: string }): Promise<OwnInfrastructure> {
  const runAdminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const binary = findNatsServer();
  if (!binary) {
    process.stderr.write(`${opts.services.join(', ')} tests: no nats-server binary here, so test files share NATS and the database\n`);
    return { adminUrl: runAdminUrl, natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' };
  }
  const testFile = opts.testFile ?? process.argv[1] ?? `f${process.pid}`;
  const adminUrl = withDatabase(runAdminUrl, fileDatabaseName(databaseName(runAdminUrl), testFile));
  const template = await migratedTemplate(runAdminUrl, opts.services);
  if (template) {
    // a copy of the migrated template (~0.5 s) instead of setting up and migrating again (2–5 s a file)
    await copyDatabase(adminUrl, template);
    await setupDatabase({ adminUrl, rootDir: ROOT, services: opts.services }); // the database-level grants a copy lacks
  } else {
    await dropDatabase(adminUrl);
    await setupDatabase({ adminUrl, rootDir: ROOT, services: opts.services });
    await migrateAll({ adminUrl, rootDir: ROOT, services: opts.services });
  }
  const nats = await startPrivateNats(binary, mkdtempSync(path.join(tmpdir(), 'sunbae-test-nats-')));
  process.once('exit', () => nats.kill());
  process.once('beforeExit', () => {
    nats.kill();
    void dropDatabase(adminUrl).catch(() => {});
  });
  process.env.DATABASE_URL = adminUrl;
  process.env.NATS_URL = nats.url;
  return { adminUrl, natsUrl: nats.url };
}

/** Prefix of the template databases of a run's database (npm test drops them when it starts). */
export const templatePrefix = (runDatabase: string): string => `${runDatabase}__tpl_`;

/**
 * The template database of a set of services: `<run's database>__tpl_<hash>`, the hash over what
 * setupDatabase + migrateAll make of them — the services named, their schema and extensions, their
 * migrations and packages/db's code — so a changed migration gets a template of its own.
 */
export async function templateDatabaseName(runDatabase: string, services: string[]): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(services));
  const addFiles = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        hash.update(`\0${name}\0`).update(readFileSync(file));
      } catch {
        // a folder
      }
    }
  };
  for (const s of selectServices(await discoverServices(ROOT), services)) {
    hash.update(`\0${s.name}\0${s.schema}\0${s.extensions.join(',')}`);
    addFiles(s.migrationsDir);
  }
  addFiles(path.join(ROOT, 'packages', 'db', 'src'));
  return `${templatePrefix(runDatabase)}${hash.digest('hex').slice(0, 12)}`;
}

/**
 * The migrated template database of `services` (see templateDatabaseName), built when missing: set up
 * and migrated under a name of this process's own, then renamed, so a file that finds it finds it
 * whole; when two files build it at once, one rename wins and the other copy is dropped. Null when
 * the names would pass Postgres's 63 characters.
 */
async function migratedTemplate(runAdminUrl: string, services: string[]): Promise<string | null> {
  const name = await templateDatabaseName(databaseName(runAdminUrl), services);
  const building = `${name}_b${process.pid}`;
  if (building.length > 63) return null;
  if ((await listDatabases(runAdminUrl, name)).includes(name)) return name;
  const buildingUrl = withDatabase(runAdminUrl, building);
  await dropDatabase(buildingUrl);
  try {
    await setupDatabase({ adminUrl: buildingUrl, rootDir: ROOT, services });
    await migrateAll({ adminUrl: buildingUrl, rootDir: ROOT, services });
    if (await renameDatabase(buildingUrl, name)) return name;
  } catch (err) {
    await dropDatabase(buildingUrl).catch(() => {});
    throw err;
  }
  await dropDatabase(buildingUrl);
  return name;
}
