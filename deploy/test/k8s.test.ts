// k8s/: every overlay renders with kustomize v5 (kubectl kustomize), every rendered object validates
// against the Kubernetes types with unknown fields refused, each deployable has what production
// needs (probes, resources, the restricted security context, graceful shutdown, PDB, autoscaling),
// and the network policies allow the architecture's flows — gateway → each service — and nothing
// from outside to a service.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { kustomizeMissing, nodeDeployables, OVERLAYS, render, ROOT, type K8sObject } from './lib.ts'
import { validateObjects } from './k8s-schema.ts'

const skip = kustomizeMissing() ?? false
const deployables = [...(await nodeDeployables()), { name: 'web', dir: 'web', port: 8080 }]
const services = deployables.filter((d) => 'schema' in d && d.schema)

type Labels = Record<string, string>
interface Selector {
  matchLabels?: Labels
  matchExpressions?: { key: string; operator: string; values?: string[] }[]
}
interface Peer {
  podSelector?: Selector
  namespaceSelector?: Selector
  ipBlock?: { cidr: string }
}
interface Rule {
  from?: Peer[]
  to?: Peer[]
  ports?: { port?: number | string; protocol?: string }[]
}
interface Policy {
  podSelector: Selector
  policyTypes?: string[]
  ingress?: Rule[]
  egress?: Rule[]
}
interface PodSpec {
  serviceAccountName?: string
  terminationGracePeriodSeconds?: number
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } }
  containers: Container[]
}
interface Probe {
  httpGet?: { path: string; port: number | string }
}
interface Container {
  name: string
  image: string
  command?: string[]
  ports?: { name?: string; containerPort: number }[]
  resources?: { requests?: Labels; limits?: Labels }
  livenessProbe?: Probe
  readinessProbe?: Probe
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } }
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } }
}

function matches(sel: Selector | undefined, labels: Labels): boolean {
  if (!sel) return true
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels
    if (e.operator === 'In' && !(has && e.values!.includes(labels[e.key]!))) return false
    if (e.operator === 'NotIn' && has && e.values!.includes(labels[e.key]!)) return false
    if (e.operator === 'Exists' && !has) return false
    if (e.operator === 'DoesNotExist' && has) return false
  }
  return true
}

/** A pod of this namespace (labels) or anything outside the cluster. */
type Endpoint = { labels: Labels } | 'outside'
const NAMESPACE_LABELS = { 'kubernetes.io/metadata.name': 'sunbae' }

function peerMatches(peer: Peer, who: Endpoint): boolean {
  if (who === 'outside') return !!peer.ipBlock
  if (peer.ipBlock) return false
  if (peer.namespaceSelector && !matches(peer.namespaceSelector, NAMESPACE_LABELS)) return false
  return matches(peer.podSelector, who.labels)
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, who: Endpoint, port: number): boolean {
  const portOk = !rule.ports?.length || rule.ports.some((p) => p.port === undefined || p.port === port)
  const peerOk = !peers?.length || peers.some((p) => peerMatches(p, who))
  return portOk && peerOk
}

/** NetworkPolicy semantics: a direction is open when no policy selects the pod for it, else when a rule of one allows it. */
function allowed(policies: Policy[], dir: 'Ingress' | 'Egress', pod: Labels, other: Endpoint, port: number): boolean {
  const selecting = policies.filter((p) => matches(p.podSelector, pod) && (p.policyTypes ?? ['Ingress']).includes(dir))
  if (selecting.length === 0) return true
  return selecting.some((p) =>
    (dir === 'Ingress' ? p.ingress : p.egress)?.some((r) => ruleAllows(r, dir === 'Ingress' ? r.from : r.to, other, port)),
  )
}

function connects(policies: Policy[], from: Endpoint, to: Endpoint, port: number): boolean {
  const out = from === 'outside' || allowed(policies, 'Egress', from.labels, to, port)
  const into = to === 'outside' || allowed(policies, 'Ingress', to.labels, from, port)
  return out && into
}

/**
 * The hosts outside the cluster each pod calls, read from its config and code (the test below checks
 * this table against each package's dependencies and the URLs in its sources). The rendered policies
 * must let the pod reach every one, in every overlay where it runs, and no other port outside. A
 * NetworkPolicy cannot name a host, so a host is allowed when its port is open to addresses outside
 * the cluster. The local overlay puts stand-ins in the cluster (Postgres, the emulators) and payment
 * uses its sandbox there, but the policies are the same component.
 */
interface External {
  host: string
  port: number
  why: string
}
const POSTGRES: External = { host: 'Postgres (RDS/Aurora)', port: 5432, why: 'its schema (DATABASE_URL)' }
const EXTERNAL: Record<string, External[]> = {
  gateway: [{ host: 'www.googleapis.com', port: 443, why: "Firebase's token-signing keys (verifyIdToken)" }],
  web: [],
  'mentor-catalog': [
    POSTGRES,
    { host: 'identitytoolkit.googleapis.com', port: 443, why: 'Firebase Auth admin: role claims, token revocation' },
    { host: 'oauth2.googleapis.com', port: 443, why: "the service account's access token" },
  ],
  matching: [POSTGRES],
  meeting: [
    POSTGRES,
    { host: 'firestore.googleapis.com', port: 443, why: 'the video rooms (videoRooms/{bookingId})' },
    { host: 'oauth2.googleapis.com', port: 443, why: "the service account's access token" },
  ],
  // the TURN relay sends media to the browsers' own UDP ports (1024–65535; the policy names the range's start)
  coturn: [{ host: "browsers (the rooms' relayed media)", port: 1024, why: 'TURN relay, UDP' }],
  payment: [
    POSTGRES,
    { host: 'api.stripe.com', port: 443, why: 'PAYMENT_PROVIDER=stripe: charges, refunds, reconciliation' },
    { host: 'api.tosspayments.com', port: 443, why: 'PAYMENT_PROVIDER=toss: confirmations, cancellations, reconciliation' },
  ],
  'chat-bridge': [
    POSTGRES,
    { host: 'MongoDB (Atlas/DocumentDB)', port: 27017, why: 'the chat mirror (MONGO_URL)' },
    { host: 'firestore.googleapis.com', port: 443, why: 'rooms and the Firestore → mirror sync' },
    { host: 'oauth2.googleapis.com', port: 443, why: "the service account's access token" },
  ],
  tracking: [POSTGRES],
  notification: [
    POSTGRES,
    { host: 'firestore.googleapis.com', port: 443, why: 'the in-app feed (users/{uid}/notifications)' },
    { host: 'oauth2.googleapis.com', port: 443, why: "the service account's access token" },
    { host: 'SMTP relay (SMTP_URL)', port: 587, why: 'email, submission with STARTTLS' },
    { host: 'SMTP relay (SMTP_URL)', port: 465, why: 'email, implicit TLS (smtps://)' },
  ],
  'sunbae-migrate': [POSTGRES],
  'sunbae-seed': [POSTGRES],
}
/** Client libraries and what they call: a deployable depending on one lists such a host above. */
const CLIENTS: Record<string, (e: External) => boolean> = {
  'firebase-admin': (e) => e.host.endsWith('.googleapis.com'),
  stripe: (e) => e.host === 'api.stripe.com',
  mongodb: (e) => e.port === 27017,
  '@sunbae/db': (e) => e.port === 5432,
  nodemailer: (e) => e.port === 587 || e.port === 465,
}
/**
 * URLs in sources that are never fetched by the service: links handed to users, and the names of
 * vocabularies written into documents (JSON-LD's schema.org context, the sitemap XML namespace).
 */
const NOT_CALLED = new Set(['schema.org', 'www.sitemaps.org'])

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind)
const find = (objs: K8sObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)
const podLabels = (objs: K8sObject[], name: string): Labels =>
  (find(objs, 'Deployment', name) ?? find(objs, 'StatefulSet', name))?.spec?.template
    ? ((find(objs, 'Deployment', name) ?? find(objs, 'StatefulSet', name))!.spec as { template: { metadata: { labels: Labels } } }).template.metadata.labels
    : {}
const podSpec = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec
const bytes = (q: string) => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(q)
  if (!m) throw new Error(`quantity ${q}`)
  return Number(m[1]) * ({ Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[m[2] ?? ''] ?? 1)
}

t.test('every overlay and component directory is rendered by this test', { skip }, async (t) => {
  t.same(fs.readdirSync(path.join(ROOT, 'k8s', 'overlays')).sort(), [...OVERLAYS].sort())
  t.same(fs.readdirSync(path.join(ROOT, 'k8s', 'components')).sort(), ['keda', 'network-policies'])
})

t.test('the schema check refuses unknown fields, wrong types and missing required fields', { skip }, async (t) => {
  const objs = structuredClone(render('overlays/aws'))
  const dep = find(objs, 'Deployment', 'gateway')!
  ;(podSpec(dep).containers[0] as unknown as Record<string, unknown>).livenessProbes = {}
  ;(find(objs, 'Service', 'gateway')!.spec as { ports: { port: unknown }[] }).ports[0]!.port = '8080'
  delete (podSpec(find(objs, 'Deployment', 'web')!).containers[0] as unknown as Record<string, unknown>).name
  ;(objs.find((o) => o.kind === 'ScaledObject')!.spec as Record<string, unknown>).minReplicas = 1
  const problems = validateObjects([...objs, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])
  const about = (id: string) => problems.filter((p) => p.object === id).map((p) => p.message).join('\n')
  t.match(about('Deployment/gateway'), /livenessProbes/, 'an unknown container field')
  t.match(about('Service/gateway'), /not assignable to type 'number'/, 'a string port')
  t.ok(problems.some((p) => p.object === 'ScaledObject/meeting' || p.object === 'ScaledObject/tracking'), 'an unknown ScaledObject field')
  t.match(about('Deployment/web'), /name/, 'a missing required field (a container without a name)')
  t.match(about('Widget/w'), /no schema/, 'a kind without a schema')
  t.equal(problems.length, 5, problems.map((p) => `${p.object}: ${p.message}`).join('\n'))
})

for (const overlay of OVERLAYS) {
  t.test(`k8s/overlays/${overlay}`, { skip }, async (t) => {
    const objs = render(`overlays/${overlay}`)
    t.ok(objs.length > 40, `${objs.length} objects rendered`)

    t.test('every object validates against the Kubernetes schema (unknown fields refused)', async (t) => {
      const problems = validateObjects(objs)
      t.same(problems.map((p) => `${p.object}: ${p.message}`), [])
      for (const o of objs) if (o.kind !== 'Namespace') t.equal(o.metadata.namespace, 'sunbae', `${o.kind}/${o.metadata.name} is in the sunbae namespace`)
    })

    t.test('each deployable: probes, resources, restricted security context, graceful shutdown, PDB, autoscaling', async (t) => {
      const config = find(objs, 'ConfigMap', 'sunbae-config') ?? objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('sunbae-config'))
      const drainS = (Number(config?.data?.SHUTDOWN_DRAIN_MS) + Number(config?.data?.SHUTDOWN_TIMEOUT_MS)) / 1000
      t.ok(drainS > 0, `drain + shutdown: ${drainS} s`)
      for (const d of deployables) {
        const dep = find(objs, 'Deployment', d.name)
        if (!t.ok(dep, `Deployment ${d.name}`)) continue
        const spec = podSpec(dep!)
        const c = spec.containers[0]!
        const readyPath = d.name === 'web' ? '/healthz' : '/readyz'
        t.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${d.name}: liveness on /healthz`)
        t.equal(c.readinessProbe?.httpGet?.path, readyPath, `${d.name}: readiness on ${readyPath}`)
        for (const kind of ['requests', 'limits'] as const) {
          t.ok(c.resources?.[kind]?.cpu && c.resources?.[kind]?.memory, `${d.name}: cpu and memory ${kind}`)
        }
        t.equal(spec.securityContext?.runAsNonRoot, true, `${d.name}: non-root`)
        t.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${d.name}: seccomp RuntimeDefault`)
        t.equal(c.securityContext?.readOnlyRootFilesystem, true, `${d.name}: read-only root FS`)
        t.equal(c.securityContext?.allowPrivilegeEscalation, false, `${d.name}: no privilege escalation`)
        t.same(c.securityContext?.capabilities?.drop, ['ALL'], `${d.name}: all capabilities dropped`)
        const pause = Number(c.lifecycle?.preStop?.exec?.command.at(-1) ?? c.lifecycle?.preStop?.sleep?.seconds)
        t.ok(pause > 0, `${d.name}: a preStop pause (${pause} s)`)
        const drain = d.name === 'web' ? 0 : drainS
        t.ok((spec.terminationGracePeriodSeconds ?? 30) > pause + drain, `${d.name}: grace period ${spec.terminationGracePeriodSeconds} s > pause ${pause} s + drain ${drain} s`)
        t.equal(spec.serviceAccountName, d.name, `${d.name}: its own ServiceAccount`)
        if (d.name !== 'web') {
          // every Node process serves /metrics (service-kit): the pod says where, for Prometheus's pod discovery
          const annotations = (dep!.spec as { template: { metadata?: { annotations?: Record<string, string> } } }).template.metadata?.annotations ?? {}
          const http = c.ports?.find((p) => p.name === 'http')?.containerPort
          t.same(
            [annotations['prometheus.io/scrape'], annotations['prometheus.io/path'], annotations['prometheus.io/port']],
            ['true', '/metrics', String(http)],
            `${d.name}: scraped at :${http}/metrics`,
          )
        }
        t.ok(find(objs, 'ServiceAccount', d.name), `${d.name}: ServiceAccount exists`)
        const svc = find(objs, 'Service', d.name)
        t.equal((svc?.spec as { ports: { port: number }[] } | undefined)?.ports[0]?.port, d.port, `${d.name}: Service on ${d.port}`)
        const labels = podLabels(objs, d.name)
        const pdb = byKind(objs, 'PodDisruptionBudget').find((p) => matches((p.spec as { selector: Selector }).selector, labels))
        t.ok(pdb, `${d.name}: a PodDisruptionBudget`)
        const hpa = byKind(objs, 'HorizontalPodAutoscaler').find((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === d.name)
        const scaled = byKind(objs, 'ScaledObject').find((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === d.name)
        t.ok(!!hpa !== !!scaled, `${d.name}: scaled by exactly one of an HPA or a KEDA ScaledObject`)
      }
      const matching = podSpec(find(objs, 'Deployment', 'matching')!).containers[0]!
      t.ok(bytes(matching.resources!.requests!.memory!) >= 1.5 * 2 ** 30, 'matching requests at least 1.5 GiB')
      const job = find(objs, 'Job', 'sunbae-migrate')
      t.match(podSpec(job!).containers[0]!.command?.join(' '), /npm run db:setup && npm run migrate/, 'a migration Job runs db:setup and migrate')
    })

    t.test('network policies: deny by default, gateway → services, nothing from outside to a service', async (t) => {
      const policies = byKind(objs, 'NetworkPolicy').map((p) => p.spec as unknown as Policy)
      const deny = policies.find((p) => Object.keys(p.podSelector).length === 0 && !p.ingress && !p.egress)
      t.ok(deny && deny.policyTypes?.includes('Ingress') && deny.policyTypes.includes('Egress'), 'a default deny of ingress and egress')
      const pod = (name: string) => ({ labels: podLabels(objs, name) })
      const gateway = pod('gateway')
      const web = pod('web')
      t.ok(connects(policies, 'outside', web, 8080), 'outside → web:8080')
      t.ok(connects(policies, web, gateway, 8080), 'web → gateway:8080')
      for (const s of services) {
        const svc = pod(s.name)
        t.ok(connects(policies, gateway, svc, s.port), `gateway → ${s.name}:${s.port}`)
        t.notOk(connects(policies, 'outside', svc, s.port), `outside ✗ ${s.name}:${s.port}`)
        t.notOk(connects(policies, web, svc, s.port), `web ✗ ${s.name}`)
        for (const other of services.filter((o) => o !== s)) t.notOk(connects(policies, pod(other.name), svc, s.port), `${other.name} ✗ ${s.name}`)
        // no rule selecting a service admits anything but the gateway, on any port
        for (const p of policies.filter((p) => matches(p.podSelector, svc.labels))) {
          for (const r of p.ingress ?? []) {
            t.ok(r.from?.length && r.from.every((peer) => !peer.ipBlock && !peer.namespaceSelector && matches(peer.podSelector, gateway.labels) && peer.podSelector), `${s.name}: ingress only from gateway pods`)
          }
        }
        t.ok(connects(policies, svc, { labels: { 'app.kubernetes.io/name': 'nats' } }, 4222), `${s.name} → nats:4222`)
        t.ok(allowed(policies, 'Egress', svc.labels, 'outside', 5432), `${s.name} → Postgres:5432`)
        t.ok(allowed(policies, 'Egress', svc.labels, { labels: { 'k8s-app': 'kube-dns' } }, 53), `${s.name} → DNS`)
        t.notOk(allowed(policies, 'Egress', svc.labels, 'outside', 80), `${s.name} ✗ the internet on port 80`)
      }
      t.ok(allowed(policies, 'Egress', pod('chat-bridge').labels, 'outside', 27017), 'chat-bridge → Mongo')
      t.notOk(allowed(policies, 'Egress', pod('matching').labels, 'outside', 27017), 'matching ✗ Mongo')
      if (overlay === 'local') {
        const pg = pod('postgres')
        for (const s of services) t.ok(connects(policies, pod(s.name), pg, 5432), `${s.name} → postgres (in-cluster)`)
        t.notOk(connects(policies, 'outside', pg, 5432), 'outside ✗ postgres')
        const job = find(objs, 'Job', 'sunbae-migrate')!.spec as { template: { metadata: { labels: Labels } } }
        t.ok(connects(policies, { labels: job.template.metadata.labels }, pg, 5432), 'the migration Job → postgres')
      }
    })

    t.test('egress: every external host each pod calls is allowed, and no other port outside', async (t) => {
      const policies = byKind(objs, 'NetworkPolicy').map((p) => p.spec as unknown as Policy)
      // Sunbae's own pods (the base's, and the overlays' Jobs); not the local overlay's stand-ins
      const workloads = objs.filter((o) => (o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/part-of'] === 'sunbae') || o.kind === 'Job')
      // every port any policy names, the web's ports, and two no policy names (a rule without ports opens them all)
      const ports = new Set([1, 80, 443, 8443, 65535])
      for (const p of policies) for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) for (const x of r.ports ?? []) if (typeof x.port === 'number') ports.add(x.port)
      for (const w of workloads) {
        const name = w.metadata.name
        const calls = EXTERNAL[name]
        if (!t.ok(calls, `${name}: its external hosts are listed in this test`)) continue
        const labels = (w.spec as { template: { metadata: { labels: Labels } } }).template.metadata.labels
        for (const e of calls!) t.ok(allowed(policies, 'Egress', labels, 'outside', e.port), `${name} → ${e.host}:${e.port} (${e.why})`)
        const open = [...ports].filter((p) => allowed(policies, 'Egress', labels, 'outside', p)).sort((a, b) => a - b)
        t.same(open, [...new Set(calls!.map((e) => e.port))].sort((a, b) => a - b), `${name}: outside the cluster only the ports of those hosts`)
      }
    })
  })
}

t.test("the egress table matches what each deployable's code calls", async (t) => {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []))
  for (const d of deployables.filter((x) => x.name !== 'web')) {
    const calls = EXTERNAL[d.name] ?? []
    const deps = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, d.dir, 'package.json'), 'utf8')) as { dependencies?: Labels }).dependencies ?? {})
    for (const [client, calledBy] of Object.entries(CLIENTS)) {
      if (deps.includes(client)) t.ok(calls.some(calledBy), `${d.name} uses ${client}: the table lists what it calls`)
    }
    for (const file of walk(path.join(ROOT, d.dir, 'src'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/['"`]https?:\/\/([a-z0-9.-]+)/gi)) {
        const host = m[1]!.toLowerCase()
        if (host === 'localhost' || /^127\./.test(host) || NOT_CALLED.has(host)) continue
        t.ok(calls.some((e) => e.host === host), `${d.name} calls ${host} (${path.relative(ROOT, file)}): listed in the egress table`)
      }
    }
  }
})

t.test('overlays/aws: ALB ingress, IRSA, no stored secrets, KEDA on consumer lag', { skip }, async (t) => {
  const objs = render('overlays/aws')
  const ing = byKind(objs, 'Ingress')[0]!
  const a = ing.metadata.annotations ?? {}
  t.equal(a['alb.ingress.kubernetes.io/scheme'], 'internet-facing')
  t.equal(a['alb.ingress.kubernetes.io/target-type'], 'ip')
  t.match(a['alb.ingress.kubernetes.io/certificate-arn'] ?? '', /^arn:aws:acm:/)
  t.equal(a['alb.ingress.kubernetes.io/ssl-redirect'], '443')
  t.match(a['alb.ingress.kubernetes.io/listen-ports'] ?? '', /HTTPS.*443/)
  t.equal((ing.spec as { ingressClassName: string }).ingressClassName, 'alb')
  for (const [name, p] of [['gateway', '/readyz'], ['web', '/healthz']]) {
    t.equal(find(objs, 'Service', name!)?.metadata.annotations?.['alb.ingress.kubernetes.io/healthcheck-path'], p, `${name}: ALB health check on ${p}`)
  }
  for (const sa of byKind(objs, 'ServiceAccount')) t.match(sa.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '', /^arn:aws:iam::\d+:role\//, `${sa.metadata.name}: IRSA role`)
  t.same(byKind(objs, 'Secret'), [], 'no Secret objects')
  for (const d of byKind(objs, 'Deployment')) {
    for (const c of podSpec(d).containers) t.match(c.image, /^\d+\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/.+:(?!latest)[\w.-]+$/, `${c.name}: a tagged ECR image`)
  }
  const scaled = byKind(objs, 'ScaledObject')
  t.ok(scaled.length >= 1)
  for (const so of scaled) {
    const triggers = (so.spec as { triggers: { type: string; metadata: Labels }[] }).triggers
    t.ok(triggers.some((tr) => tr.type === 'nats-jetstream' && tr.metadata.consumer && tr.metadata.stream && tr.metadata.lagThreshold), `${so.metadata.name}: scales on JetStream consumer lag`)
  }
  t.ok(fs.existsSync(path.join(ROOT, 'k8s', 'overlays', 'aws', 'nats-values.yaml')), 'NATS Helm values are documented beside the overlay')
})
