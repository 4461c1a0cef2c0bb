# syntax=docker/dockerfile:1.7
# The web app: built with Vite, served by nginx (static files, SPA fallback, /api to the gateway).
#
#   docker build -f deploy/web.Dockerfile .
#
# Firebase settings are baked in at build time (Vite inlines VITE_*): the emulator hosts for the
# compose stack, a real project's web config for a cluster (see docs/operations.md).
ARG NODE_IMAGE=node:24-bookworm-slim
ARG NGINX_IMAGE=alpine:3.22

FROM ${NODE_IMAGE} AS prune
ARG TURBO_VERSION=2.11.11
ENV TURBO_TELEMETRY_DISABLED=1 NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
RUN npm install --global "turbo@${TURBO_VERSION}"
WORKDIR /src
COPY . .
RUN turbo prune @sunbae/web --docker --out-dir /out

FROM ${NODE_IMAGE} AS build
ENV CI=true NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /app
COPY --from=prune /out/json/ ./
RUN npm ci --ignore-scripts
COPY --from=prune /out/full/ ./
ARG VITE_FIREBASE_PROJECT_ID=demo-sunbae
ARG VITE_FIREBASE_API_KEY=""
ARG VITE_FIREBASE_AUTH_DOMAIN=""
ARG VITE_FIREBASE_APP_ID=""
ARG VITE_FIREBASE_AUTH_EMULATOR_HOST=""
ARG VITE_FIREBASE_FIRESTORE_EMULATOR_HOST=""
ENV VITE_FIREBASE_PROJECT_ID=${VITE_FIREBASE_PROJECT_ID} \
    VITE_FIREBASE_API_KEY=${VITE_FIREBASE_API_KEY} \
    VITE_FIREBASE_AUTH_DOMAIN=${VITE_FIREBASE_AUTH_DOMAIN} \
    VITE_FIREBASE_APP_ID=${VITE_FIREBASE_APP_ID} \
    VITE_FIREBASE_AUTH_EMULATOR_HOST=${VITE_FIREBASE_AUTH_EMULATOR_HOST} \
    VITE_FIREBASE_FIRESTORE_EMULATOR_HOST=${VITE_FIREBASE_FIRESTORE_EMULATOR_HOST}
RUN npm run build --workspace=@sunbae/web
# the security headers for exactly the Firebase this build talks to (its CSP's connect-src)
RUN node web/security-headers.ts > /app/security-headers.conf

# nginx as uid 101, listening on 8080, writing only to /tmp (a read-only root FS works). Alpine's own
# nginx, because it has the brotli module (nginx-mod-http-brotli: brotli_static serves the build's .br
# files); nginx.org's images have no brotli.
FROM ${NGINX_IMAGE} AS web
RUN apk add --no-cache nginx nginx-mod-http-brotli \
 && rm -f /etc/nginx/http.d/default.conf
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
COPY --from=build /app/security-headers.conf /etc/nginx/security-headers.conf
COPY --from=build /app/web/dist/ /usr/share/nginx/html/
USER 101
EXPOSE 8080
# nginx's master process reaps its workers and handles SIGQUIT/SIGTERM itself; the image's
# entrypoint scripts would rewrite files under /etc/nginx, which is read-only in the cluster.
ENTRYPOINT []
STOPSIGNAL SIGQUIT
# -e stderr: the error log before nginx.conf is read (the package's default path is not writable)
CMD ["nginx", "-e", "stderr", "-g", "daemon off;"]
