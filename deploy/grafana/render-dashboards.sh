#!/bin/sh
# One Grafana dashboard per service from one template: deploy/grafana/service-dashboard.json with
# __SERVICE__ (the Prometheus `service` label) and __PREFIX__ (the process metrics' prefix, the name
# with `-` as `_`: mentor_catalog_process_resident_memory_bytes) replaced, written to $OUT. Grafana's
# entrypoint in compose (then it starts Grafana); deploy/test/grafana.test.ts runs it too.
#   SUNBAE_SERVICES="mentor-catalog matching … gateway" OUT=dir TEMPLATE=file render-dashboards.sh [command…]
set -eu
TEMPLATE="${TEMPLATE:-/etc/sunbae/service-dashboard.json}"
OUT="${OUT:-/var/lib/grafana/dashboards}"
mkdir -p "$OUT"
for service in $SUNBAE_SERVICES; do
  prefix="$(printf '%s' "$service" | tr -- '-' '_')_"
  sed -e "s/__SERVICE__/$service/g" -e "s/__PREFIX__/$prefix/g" "$TEMPLATE" > "$OUT/$service.json"
done
if [ "$#" -gt 0 ]; then exec "$@"; fi
