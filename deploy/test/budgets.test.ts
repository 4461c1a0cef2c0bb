// The idle-RSS budgets (bench/footprint/budgets.json, one table) against what Kubernetes reserves: every
// deployable has a budget, and its pod requests at least the budget's ceiling (budget + margin: the
// most deploy/test/smoke.test.ts lets an idle process use), with a limit above the request. Every
// container of every workload the overlays render has CPU and memory requests and limits.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import budgets from '../../bench/footprint/budgets.json' with { type: 'json' }
import { kustomizeMissing, nodeDeployables, OVERLAYS, render, ROOT, type K8sObject } from './lib.ts'

interface Container {
  name: string
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }
}
type Workload = K8sObject & { spec: { template: { spec: { containers: Container[]; initContainers?: Container[] } } } }

const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }
function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(q)
  if (!m) throw new Error(`not a memory quantity: ${q}`)
  return Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1)
}
function millicores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000
}

const deployables = (await nodeDeployables()).map((d) => d.name)
const idle = budgets.idleRssMb as Record<string, number>
const working = budgets.workingRssMb as Record<string, number>

t.test('one budget per deployable, in one table', async (t) => {
  t.same(Object.keys(idle).sort(), [...deployables].sort(), 'every service and the gateway, nothing else')
  for (const [name, mb] of Object.entries(idle)) t.ok(Number.isFinite(mb) && mb > 40, `${name}: ${mb} MiB (more than a bare node)`)
  t.same(Object.keys(working).sort(), [...deployables].sort(), 'a working-RSS budget for each too')
  t.ok(budgets.marginRatio > 0 && budgets.marginRatio <= 0.5, `margin ${budgets.marginRatio}`)
})

t.test('k8s/base: each deployable requests at least its idle budget + margin, and may use more', async (t) => {
  for (const name of deployables) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, 'k8s', 'base', `${name}.yaml`), 'utf8')).map((d) => d.toJS() as K8sObject)
    const dep = docs.find((o) => o?.kind === 'Deployment') as Workload | undefined
    if (!t.ok(dep, `${name}: a Deployment`)) continue
    const c = dep!.spec.template.spec.containers.find((x) => x.name === name) ?? dep!.spec.template.spec.containers[0]!
    const ceiling = idle[name]! * (1 + budgets.marginRatio) * 2 ** 20
    const request = bytes(c.resources?.requests?.memory ?? '0')
    const limit = bytes(c.resources?.limits?.memory ?? '0')
    t.ok(request >= ceiling, `${name}: requests ${c.resources?.requests?.memory} ≥ ${Math.ceil(ceiling / 2 ** 20)} MiB (${idle[name]} MiB + ${budgets.marginRatio * 100} %)`)
    t.ok(limit > request, `${name}: limit ${c.resources?.limits?.memory} above the request`)
    const workingCeiling = working[name]! * (1 + budgets.marginRatio) * 2 ** 20
    t.ok(limit >= workingCeiling, `${name}: limit ${c.resources?.limits?.memory} ≥ ${Math.ceil(workingCeiling / 2 ** 20)} MiB (its RSS after the smoke run, ${working[name]} MiB + ${budgets.marginRatio * 100} %)`)
    t.ok(millicores(c.resources?.limits?.cpu ?? '0') > millicores(c.resources?.requests?.cpu ?? '0'), `${name}: CPU limit above the request (${c.resources?.requests?.cpu} → ${c.resources?.limits?.cpu})`)
  }
})

const skip = kustomizeMissing() ?? false
for (const overlay of OVERLAYS) {
  t.test(`k8s/overlays/${overlay}: every container of every workload has CPU and memory requests and limits`, { skip }, async (t) => {
    const workloads = render(`overlays/${overlay}`).filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) as Workload[]
    t.ok(workloads.length >= deployables.length, `${workloads.length} workloads`)
    for (const w of workloads) {
      for (const c of [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers]) {
        for (const kind of ['requests', 'limits'] as const) {
          t.ok(c.resources?.[kind]?.cpu && c.resources?.[kind]?.memory, `${w.kind}/${w.metadata.name} ${c.name}: cpu and memory ${kind}`)
        }
      }
    }
  })
}
