// The platform's processes — every service and the gateway pointed at them — as `npm start` runs them
// (scripts/start.ts) and as the fault suite (bench/faults) runs them on a stack of its own: what each
// one is started with, not how it is supervised.
import path from 'node:path'
import { discoverServices, serviceDatabaseUrl } from '@sunbae/db'
import { OFFLINE_ENV, REPO_ROOT } from './repo.ts'

/** One process of the platform: `node <args>` in `cwd` with exactly `env`. */
export interface PlatformProcess {
  /** the service's folder name, or `gateway` */
  name: string
  cwd: string
  args: string[]
  env: Record<string, string>
  url: string
  readyUrl: string
}

/** How production starts a service or the gateway: the telemetry is loaded before the app. */
export const SERVER_ARGS = ['--import', '@sunbae/telemetry/register', 'src/server.ts']

/** What every process of a local platform gets on top of the caller's environment: nothing reaches the internet. */
export function localPlatformEnv(env: NodeJS.ProcessEnv, natsUrl: string): Record<string, string> {
  return {
    ...(env as Record<string, string>),
    ...OFFLINE_ENV,
    TURBO_TELEMETRY_DISABLED: '1',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    NODE_ENV: env.NODE_ENV ?? 'development',
    NATS_URL: natsUrl,
    // Locally every trace is worth keeping; production samples (see packages/telemetry).
    OTEL_TRACES_SAMPLER: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
  }
}

export interface PlatformOptions {
  /** the admin URL of the platform's database; each service gets its own role's URL from it */
  adminUrl: string
  /** what every process gets (localPlatformEnv plus IDENTITY_SECRET, emulator hosts, SMTP_URL …) */
  baseEnv: Record<string, string>
  /** the port of a service, from the one its package.json declares */
  servicePort: (declared: number, name: string) => number | Promise<number>
  gatewayPort: number
  /** each process's NATS user seed by name (@sunbae/bus/nats-auth), given to it as NATS_NKEY_SEED; none: no NATS authentication */
  natsSeeds?: Partial<Record<string, string>>
}

/** Every service (services/*, in name order), then the gateway with the services' URLs. */
export async function platformProcesses({ adminUrl, baseEnv, servicePort, gatewayPort, natsSeeds }: PlatformOptions): Promise<PlatformProcess[]> {
  const out: PlatformProcess[] = []
  const natsUser = (name: string): Record<string, string> => (natsSeeds?.[name] ? { NATS_NKEY_SEED: natsSeeds[name]! } : {})
  const upstreamEnv: Record<string, string> = {}
  for (const s of await discoverServices(REPO_ROOT)) {
    const port = await servicePort(s.port, s.name)
    const url = `http://127.0.0.1:${port}`
    out.push({
      name: s.name,
      cwd: s.dir,
      args: SERVER_ARGS,
      env: { ...baseEnv, PORT: String(port), DATABASE_URL: serviceDatabaseUrl(adminUrl, s.schema), OTEL_SERVICE_NAME: s.name, ...natsUser(s.name) },
      url,
      readyUrl: `${url}/readyz`,
    })
    upstreamEnv[`${s.schema.toUpperCase()}_URL`] = url
  }
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  out.push({
    name: 'gateway',
    cwd: path.join(REPO_ROOT, 'gateway'),
    args: SERVER_ARGS,
    env: { ...baseEnv, ...upstreamEnv, PORT: String(gatewayPort), OTEL_SERVICE_NAME: 'gateway', ...natsUser('gateway') },
    url: gatewayUrl,
    readyUrl: `${gatewayUrl}/readyz`,
  })
  return out
}
