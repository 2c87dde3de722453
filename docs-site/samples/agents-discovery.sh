#!/usr/bin/env bash
# Discovery with curl, following next_cursor until has_more is false. Needs FLUXRA_ACCESS_TOKEN.
set -euo pipefail
BASE_URL="${FLUXRA_BASE_URL:-https://chat.tryfluxra.com}"
ACCESS_TOKEN="$FLUXRA_ACCESS_TOKEN"

cursor=""
while :; do
  page=$(curl -sS --fail-with-body -G "$BASE_URL/api/agents" \
    -H "Authorization: Bearer $ACCESS_TOKEN" \
    --data-urlencode "tag=${FLUXRA_TAG:-research}" \
    --data-urlencode "limit=2" \
    ${cursor:+--data-urlencode "cursor=$cursor"})
  jq -r '.data[] | "found: @\(.handle) (\(.id))"' <<<"$page"
  [ "$(jq -r '.has_more' <<<"$page")" = "true" ] || break
  cursor=$(jq -r '.next_cursor' <<<"$page")
done
