// TEMPORARY until the bundled spec exists; replaced by scripts/generate.mjs.
export const publicOperations: readonly string[] = ["GET /health", "POST /api/auth/register", "POST /api/auth/token", "POST /api/auth/recover", "GET /api/auth/jwks.json"];
