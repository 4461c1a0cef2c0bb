// Shared helpers of the deployment tests: the repo's deployables (discovered, never listed by hand),
// the tools the checks need (skipped with one plain line when missing), rendered manifests.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import YAML from 'yaml'
import { discoverServices, type ServiceInfo } from '@sunbae/db'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const OVERLAYS = ['local', 'aws'] as const

/** Absolute path of an executable on PATH, or null. */
export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {
      // next
    }
  }
  return null
}

export function run(cmd: string, args: string[], opts: { cwd?: string; timeout?: number } = {}) {
  const res = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', timeout: opts.timeout ?? 60_000, maxBuffer: 64 * 1024 * 1024 })
  return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '', error: res.error }
}

/**
 * Why `kubectl kustomize` cannot render the overlays here, or null when it can: kustomize ≥ v5 is
 * needed for components (Debian's kubernetes-client 1.20 embeds v2). The Google Cloud SDK's kubectl
 * (v1.32, kustomize v5.5) is on this kind of machine.
 */
export function kustomizeMissing(): string | null {
  if (!which('kubectl')) return 'kubectl is not installed (a kubectl with kustomize v5: the Google Cloud SDK "kubectl" package, or upstream kubectl ≥ 1.27)'
  const v = run('kubectl', ['version', '--client'])
  const m = /Kustomize Version: v(\d+)/.exec(v.stdout)
  if (!m || Number(m[1]) < 5) return `kubectl's kustomize is older than v5 (${(/Kustomize Version: (\S+)/.exec(v.stdout) ?? [])[1] ?? 'unknown'}), which cannot render components`
  return null
}

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  spec?: Record<string, unknown>
  data?: Record<string, string>
  [key: string]: unknown
}

const rendered = new Map<string, K8sObject[]>()
/** `kubectl kustomize k8s/<dir>` parsed into objects (cached per run). */
export function render(dir: string): K8sObject[] {
  const hit = rendered.get(dir)
  if (hit) return hit
  const res = run('kubectl', ['kustomize', path.join(ROOT, 'k8s', dir)])
  if (res.status !== 0) throw new Error(`kubectl kustomize k8s/${dir} failed:\n${res.stderr}`)
  const docs = YAML.parseAllDocuments(res.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean)
  rendered.set(dir, docs)
  return docs
}

/** docker-compose.yml (or another compose file) parsed with its anchors and merge keys resolved. */
export function readCompose(file = 'docker-compose.yml'): { services: Record<string, ComposeService>; [key: string]: unknown } {
  return YAML.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'), { merge: true })
}

export interface ComposeService {
  image?: string
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> }
  command?: string[] | string
  environment?: Record<string, string>
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }> | string[]
  profiles?: string[]
  ports?: string[]
  mem_limit?: string
}

export interface Deployable {
  /** folder name, e.g. mentor-catalog, or `gateway` */
  name: string
  /** the workspace folder relative to the root */
  dir: string
  port: number
  /** Postgres schema (services only) */
  schema?: string
  info?: ServiceInfo
}

/** The six services (whatever services/* declares) and the gateway. */
export async function nodeDeployables(): Promise<Deployable[]> {
  const services = await discoverServices(ROOT)
  return [
    ...services.map((s) => ({ name: s.name, dir: `services/${s.name}`, port: s.port, schema: s.schema, info: s })),
    { name: 'gateway', dir: 'gateway', port: 8080 },
  ]
}

interface ConfigDefinition {
  configSchema: { properties: Record<string, { default?: unknown; [k: string]: unknown }>; required?: string[] }
  configDefaults?: Record<string, unknown>
  checkConfig?: (config: never) => void
}

/** The service's configuration schema, read from its own service definition (src/service.ts). */
export async function configOf(d: Deployable): Promise<ConfigDefinition> {
  const mod = (await import(pathToFileURL(path.join(ROOT, d.dir, 'src', 'service.ts')).href)) as Record<string, unknown>
  const isDef = (v: unknown): v is ConfigDefinition => typeof v === 'object' && v !== null && 'configSchema' in v
  if (isDef(mod.definition)) return mod.definition
  // the gateway builds its definition in a function (tests pass seams): call it without any
  for (const [name, v] of Object.entries(mod)) {
    if (typeof v === 'function' && /Definition$/.test(name)) {
      const def = (v as () => unknown)()
      if (isDef(def)) return def
    }
  }
  throw new Error(`${d.dir}/src/service.ts exports no service definition`)
}

/** Variables the schema requires that neither the schema nor the definition gives a default. */
export function requiredVariables(def: ConfigDefinition): string[] {
  const required = def.configSchema.required ?? []
  return required.filter((k) => def.configSchema.properties[k]?.default === undefined && !(k in (def.configDefaults ?? {}))).sort()
}

export function readText(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8')
}

/** What an environment gives one deployable: variable → value (undefined when it comes from a secret ops create). */
export type Env = Map<string, string | undefined>

/** `${NAME:-default}` as Compose interpolates it with NAME unset. */
export const interpolate = (v: string) => v.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')

/** A compose service's environment, interpolated as with nothing set on the host. */
export function composeEnv(svc: ComposeService): Env {
  return new Map(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]))
}

/** A Deployment's first container's environment in rendered manifests: its ConfigMaps, then its own variables. */
export function containerEnv(objs: K8sObject[], name: string): { env: Env; explicit: string[]; port: number } | null {
  const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name)
  if (!dep) return null
  type Container = {
    env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[]
    envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]
    ports?: { containerPort: number }[]
  }
  const c = (dep.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!
  const env: Env = new Map()
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef?.name ?? from.secretRef?.name
    const src = objs.find((o) => (o.kind === 'ConfigMap' || o.kind === 'Secret') && o.metadata.name === ref)
    for (const k of Object.keys(src?.data ?? {})) env.set(k, src!.kind === 'ConfigMap' ? src!.data![k] : undefined)
  }
  for (const e of c.env ?? []) env.set(e.name, e.value ?? secretValue(objs, e.valueFrom?.secretKeyRef))
  return { env, explicit: (c.env ?? []).map((e) => e.name), port: c.ports?.[0]?.containerPort ?? -1 }
}

/** A key of a Secret the overlay generates (local), decoded; undefined when the Secret is created by ops. */
function secretValue(objs: K8sObject[], ref: { name: string; key: string } | undefined): string | undefined {
  const data = ref && objs.find((o) => o.kind === 'Secret' && o.metadata.name === ref.name)?.data?.[ref.key]
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8')
}
