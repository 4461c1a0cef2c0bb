# syntax=docker/dockerfile:1.7
# One image recipe for every Node deployable: the six services, the gateway, and the `tools` target
# (db:setup, migrate, seed) used by the compose one-shots and the Kubernetes migration Job.
#
#   docker build -f deploy/node.Dockerfile --build-arg SERVICE=@sunbae/matching --build-arg SERVICE_DIR=services/matching .
#   docker build -f deploy/node.Dockerfile --target tools .     (no SERVICE: every service is kept)
#
# Servers run TypeScript natively (Node 24 type stripping): there is no compile step, so the image
# holds the sources of the pruned workspaces and their production dependencies only.
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

# db:setup, migrate and seed: every service's migrations and CLIs, plus the root scripts.
FROM base AS tools
WORKDIR /app
COPY --from=deps --chown=root:root /app/ ./
COPY scripts/ ./scripts/
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["sh", "-c", "npm run db:setup && npm run migrate"]

# The default target: one service (or the gateway), non-root, started as `npm start` starts it.
FROM base AS service
ARG SERVICE_DIR
RUN test -n "${SERVICE_DIR}" || (echo "build-arg SERVICE_DIR is required, e.g. services/matching" >&2 && exit 1)
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=deps --chown=root:root /app/ ./
WORKDIR /app/${SERVICE_DIR}
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "@sunbae/telemetry/register", "src/server.ts"]
