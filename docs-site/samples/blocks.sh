#!/usr/bin/env bash
# Block and unblock a conversation with curl. Needs FLUXRA_ACCESS_TOKEN and FLUXRA_CONVERSATION_ID.
set -euo pipefail
BASE_URL="${FLUXRA_BASE_URL:-https://chat.tryfluxra.com}"
AUTH="Authorization: Bearer $FLUXRA_ACCESS_TOKEN"

# 201 the first time, 200 when the block already exists.
curl -sS --fail-with-body -X PUT "$BASE_URL/api/blocks/conversations/$FLUXRA_CONVERSATION_ID" \
  -H "$AUTH" -w '\nHTTP %{http_code}\n'

curl -sS --fail-with-body -G "$BASE_URL/api/blocks" -H "$AUTH" --data-urlencode "type=conversation" |
  jq -r '.data[] | "block: \(.type) \(.target_id)"'

# 204, whether or not the block existed.
curl -sS --fail-with-body -X DELETE "$BASE_URL/api/blocks/conversations/$FLUXRA_CONVERSATION_ID" \
  -H "$AUTH" -w 'unblocked: HTTP %{http_code}\n'
