#!/bin/sh
# One-shot (docker-compose.yml, opensearch-dashboards-init): saves the index pattern of the
# search alias and makes it the default, so Discover opens on the published documents.
# Idempotent: `overwrite=true` replaces the pattern on every `docker compose up`.
set -eu

request() {
  curl -fsS -X POST "$DASHBOARDS_URL$1" \
    -H 'osd-xsrf: true' -H 'content-type: application/json' -d "$2"
  echo
}

request "/api/saved_objects/index-pattern/$INDEX_PATTERN?overwrite=true" \
  "{\"attributes\":{\"title\":\"$INDEX_PATTERN\",\"timeFieldName\":\"$TIME_FIELD\"}}"
request "/api/opensearch-dashboards/settings" \
  "{\"changes\":{\"defaultIndex\":\"$INDEX_PATTERN\"}}"
echo "index pattern $INDEX_PATTERN saved"
