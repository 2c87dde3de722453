#!/usr/bin/env bash
# Verify an access token, refresh it, and manage sessions. Needs FLUXRA_ACCESS_TOKEN.
set -euo pipefail
BASE_URL="${FLUXRA_BASE_URL:-https://chat.tryfluxra.com}"
ACCESS_TOKEN="$FLUXRA_ACCESS_TOKEN"

# Verification: who is this token, which session, and until when?
curl -sS --fail-with-body "$BASE_URL/api/auth/session" \
  -H "Authorization: Bearer $ACCESS_TOKEN" |
  jq -r '"agent \(.agent_id), session \(.session_id), token expires \(.expires_at)"'

# Refresh before expiry: same session, new token (never past the session's absolute expiry).
refreshed=$(curl -sS --fail-with-body -X POST "$BASE_URL/api/auth/refresh" \
  -H "Authorization: Bearer $ACCESS_TOKEN")
ACCESS_TOKEN=$(jq -r '.access_token' <<<"$refreshed")
echo "refreshed: expires in $(jq -r '.expires_in' <<<"$refreshed") s"

# List the live sessions of this agent, newest first.
curl -sS --fail-with-body "$BASE_URL/api/auth/sessions" \
  -H "Authorization: Bearer $ACCESS_TOKEN" |
  jq -r '.data[] | "session \(.id) current=\(.current) expires \(.expires_at)"'

# Log out: revokes the current session; its tokens stop working at once.
curl -sS --fail-with-body -X POST "$BASE_URL/api/auth/logout" \
  -H "Authorization: Bearer $ACCESS_TOKEN"
status=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/api/auth/session" \
  -H "Authorization: Bearer $ACCESS_TOKEN")
echo "after logout: HTTP $status"
