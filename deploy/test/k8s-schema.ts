// Validates rendered Kubernetes objects against the Kubernetes API types, refusing unknown fields.
//
// The types come from kubernetes-types (generated from the Kubernetes OpenAPI spec, v1.30) and, for
// KEDA's ScaledObject, @kubernetes-models/keda (generated from KEDA's CRD schema). Each object is
// checked by the TypeScript compiler as an object literal of its kind's type: required fields,
// value types, the literal apiVersion/kind, and — through TypeScript's excess-property check —
// every field that the schema does not define is an error, at any depth. (No npm package or Debian
// package ships the Kubernetes JSON schemas themselves for offline use.)
import path from 'node:path'
import ts from 'typescript'
import { ROOT, type K8sObject } from './lib.ts'

/** apiVersion/kind → [module, exported type]. */
const TYPES: Record<string, [string, string]> = {
  'v1/Namespace': ['kubernetes-types/core/v1', 'Namespace'],
  'v1/ConfigMap': ['kubernetes-types/core/v1', 'ConfigMap'],
  'v1/Secret': ['kubernetes-types/core/v1', 'Secret'],
  'v1/Service': ['kubernetes-types/core/v1', 'Service'],
  'v1/ServiceAccount': ['kubernetes-types/core/v1', 'ServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-types/apps/v1', 'Deployment'],
  'apps/v1/StatefulSet': ['kubernetes-types/apps/v1', 'StatefulSet'],
  'batch/v1/Job': ['kubernetes-types/batch/v1', 'Job'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-types/autoscaling/v2', 'HorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-types/policy/v1', 'PodDisruptionBudget'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-types/networking/v1', 'NetworkPolicy'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-types/networking/v1', 'Ingress'],
  'keda.sh/v1alpha1/ScaledObject': ['@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject', 'IScaledObject'],
}

export interface SchemaProblem {
  object: string
  message: string
}

/** Problems of every object (empty when all validate). Objects of a kind without a schema are problems too. */
export function validateObjects(objects: K8sObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = []
  const imports = new Map<string, Set<string>>()
  const lines: string[] = []
  const owners: string[] = []
  objects.forEach((o, i) => {
    const id = `${o.kind}/${o.metadata?.name}`
    const type = TYPES[`${o.apiVersion}/${o.kind}`]
    if (!type) {
      problems.push({ object: id, message: `no schema for ${o.apiVersion} ${o.kind}` })
      return
    }
    const [mod, name] = type
    if (!imports.has(mod)) imports.set(mod, new Set())
    imports.get(mod)!.add(name)
    // one object per line: a diagnostic's line number names the object
    owners[lines.length] = id
    lines.push(`export const o${i}: ${name}__${alias(mod)} = ${JSON.stringify(o)}`)
  })
  const header = [...imports].map(([mod, names]) => `import type { ${[...names].map((n) => `${n} as ${n}__${alias(mod)}`).join(', ')} } from '${mod}'`)
  const source = [...header, ...lines].join('\n')
  const file = path.join(ROOT, 'deploy', 'test', '__k8s_objects__.ts')
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => name === file || fileExists(name)
  const readFile = host.readFile.bind(host)
  host.readFile = (name) => (name === file ? source : readFile(name))
  const program = ts.createProgram([file], options, host)
  for (const d of [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics(), ...program.getGlobalDiagnostics()]) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    if (d.file?.fileName === file && d.start !== undefined) {
      const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length
      problems.push({ object: owners[line] ?? '(imports)', message })
    } else {
      problems.push({ object: d.file?.fileName ?? '(program)', message })
    }
  }
  return problems
}

function alias(mod: string): string {
  return mod.replace(/[^A-Za-z0-9]/g, '_')
}
