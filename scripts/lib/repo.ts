// What the root scripts need about the repository, without any workspace package: `npm run seed`
// and `npm run user:role` also run in the production `tools` image (deploy/node.Dockerfile), where
// only production dependencies are installed and @sunbae/testing is not. OFFLINE_ENV is defined
// once, in packages/testing/src/offline-env.ts (dependency-free; its source is in that image with
// the pruned workspaces), and imported here by path.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export { OFFLINE_ENV } from '../../packages/testing/src/offline-env.ts'

/** The repository root (this file is scripts/lib/repo.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
