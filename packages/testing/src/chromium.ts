// The Chromium that browser tests drive (the web's journeys, meeting's coturn test).
import fs from 'node:fs';

/**
 * Debian's `chromium-headless-shell`: the same engine as `chromium` (one source package, one version)
 * built without the browser's UI layer, as Playwright runs headless by default. It loads and renders the
 * journeys' pages with ~40 % less CPU (20 loads of the landing and search pages, interleaved: 5.2–5.6
 * CPU-s against 8.0–9.9), and on two cores that CPU is what the journeys wait for.
 */
export const HEADLESS_SHELL = '/usr/bin/chromium-headless-shell';
/** Debian's full browser: what runs when the shell is not installed. */
export const CHROMIUM = '/usr/bin/chromium';

/** CHROMIUM_PATH when set; else the headless shell when installed, else Debian's `chromium`. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = fs.existsSync): string {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return exists(HEADLESS_SHELL) ? HEADLESS_SHELL : CHROMIUM;
}
