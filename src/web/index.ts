/**
 * The host client: a web UI served by the host at `/` (src/rest's staticRoute) and talking to it only over the
 * public REST API (/api/v1: the session cookie and its CSRF token, Server-Sent Events). The browser code is in
 * app/ (Preact with signals, its own tsconfig with the DOM library), bundled by scripts/build-web.mjs into
 * dist/web (hashed names, .br and .gz beside each file) as part of `npm run build`. Its tests drive Debian's
 * Chromium with playwright-core against a real host (*.test.ts here).
 */
export {};
