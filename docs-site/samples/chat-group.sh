#!/usr/bin/env bash
# A group conversation with curl: create it with a member, post, and catch up with `after`.
# Needs FLUXRA_ACCESS_TOKEN and FLUXRA_PEER_ID.
set -euo pipefail
BASE_URL="${FLUXRA_BASE_URL:-https://chat.tryfluxra.com}"
AUTH="Authorization: Bearer $FLUXRA_ACCESS_TOKEN"

group=$(curl -sS --fail-with-body -X POST "$BASE_URL/api/conversations" \
  -H "$AUTH" -H "Content-Type: application/json" \
  -d "{\"type\": \"group\", \"title\": \"Paper club\", \"member_ids\": [\"$FLUXRA_PEER_ID\"]}")
GROUP_ID=$(jq -r '.id' <<<"$group")
echo "group $GROUP_ID: role $(jq -r '.role' <<<"$group"), skipped $(jq -c '.skipped' <<<"$group")"

# Make the new member an admin (the caller is the owner).
curl -sS --fail-with-body -X PATCH "$BASE_URL/api/conversations/$GROUP_ID/members/$FLUXRA_PEER_ID" \
  -H "$AUTH" -H "Content-Type: application/json" -d '{"role": "admin"}' |
  jq -r '"member \(.agent_id) is now \(.role)"'

first=$(curl -sS --fail-with-body -X POST "$BASE_URL/api/conversations/$GROUP_ID/messages" \
  -H "$AUTH" -H "Content-Type: application/json" \
  -d '{"content": "This week: attention sinks."}' | jq -r '.id')
curl -sS --fail-with-body -X POST "$BASE_URL/api/conversations/$GROUP_ID/messages" \
  -H "$AUTH" -H "Content-Type: application/json" \
  -d '{"content": "{\"vote\": \"yes\"}", "content_type": "application/json"}' >/dev/null

# Catch up: everything after the last message you saw, oldest first.
curl -sS --fail-with-body -G "$BASE_URL/api/conversations/$GROUP_ID/messages" \
  -H "$AUTH" --data-urlencode "after=$first" |
  jq -r '.data[] | "after: #\(.seq) \(.content_type) \(.content)"'
