# syntax=docker/dockerfile:1.7
# One image recipe for every Node deployable: the six services, the gateway, and the `tools` target
# (db:setup, migrate, seed) used by the compose one-shots and the Kubernetes migration Job.
#
#   docker build -f deploy/node.Dockerfile --build-arg SERVICE=@sunbae/matching --build-arg SERVICE_DIR=services/matching .
#   docker build -f deploy/node.Dockerfile --target tools .     (no SERVICE: every service is kept)
#
# The service image runs JavaScript compiled from the workspaces' TypeScript (the build stage,
# deploy/compile.ts): a process that loads no .ts never starts Node's type stripper (its WebAssembly
# instance and memory, and the stripping of every module at start). The tools image runs the
# TypeScript sources (Node 24 type stripping), as development does. Both hold the pruned workspaces
# and their production dependencies only.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV NODE_ENV=production \
    CI=true \
    NO_UPDATE_NOTIFIER=1 \
    TURBO_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
# tini reaps zombies and forwards SIGTERM to node, so the graceful drain in service-kit runs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# Turborepo prune: only the target workspace, the packages it depends on and a pruned lockfile.
# Without SERVICE (the tools image): every service, for their migrations and command-line tools.
FROM base AS prune
ARG TURBO_VERSION=2.11.11
ARG SERVICE=""
RUN npm install --global "turbo@${TURBO_VERSION}"
WORKDIR /src
COPY . .
RUN if [ -n "${SERVICE}" ]; then set -- "${SERVICE}"; \
    else set -- $(node -p "require('fs').readdirSync('services').map((d) => require('./services/' + d + '/package.json').name).join(' ')"); fi \
 && turbo prune "$@" --docker --out-dir /out

# Production dependencies only, installed from the pruned lockfile, then the pruned sources.
FROM base AS deps
WORKDIR /app
COPY --from=prune /out/json/ ./
RUN npm ci --omit=dev --ignore-scripts
COPY --from=prune /out/full/ ./

# The pruned workspaces compiled with the root's TypeScript (a development dependency, so a full
# install of the same lockfile): the .js files and the package.json files pointing at them, in /out.
FROM base AS build
WORKDIR /app
COPY --from=prune /out/json/ ./
RUN npm ci --ignore-scripts
COPY --from=prune /out/full/ ./
COPY deploy/compile.ts ./deploy/
RUN node deploy/compile.ts --out /out/compiled

# db:setup, migrate and seed: every service's migrations and CLIs, plus the root scripts.
FROM base AS tools
WORKDIR /app
COPY --from=deps --chown=root:root /app/ ./
COPY scripts/ ./scripts/
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["sh", "-c", "npm run db:setup && npm run migrate"]

# The default target: one service (or the gateway), non-root, started as its compiled `npm start`
# (deploy/compile.ts compiledStart: the .js of the start script's .ts).
FROM base AS service
ARG SERVICE_DIR
RUN test -n "${SERVICE_DIR}" || (echo "build-arg SERVICE_DIR is required, e.g. services/matching" >&2 && exit 1)
ENV HOST=0.0.0.0
# V8's young generation capped at 4 MiB a semi-space: Node 24 sizes it up to 32 MiB (64 MiB of new
# space) on a machine with this much memory, and a service's start-up touches all of it — 37–39 MiB of
# its idle RSS (bench/footprint, payment and the gateway: 161 → 124, 168 → 129 MiB). More frequent
# scavenges under load: the gateway's CPU per proxied request ×1.05 (0.89–1.09 over 3 rounds, within
# that run's noise; bench/gateway/cpu.ts). A Deployment's env can set NODE_OPTIONS otherwise.
ENV NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY --from=deps --chown=root:root /app/ ./
COPY --from=build --chown=root:root /out/compiled/ ./
WORKDIR /app/${SERVICE_DIR}
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "@sunbae/telemetry/register", "src/server.js"]
