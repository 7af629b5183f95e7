/**
 * The Console's page: one HTML document with its script and style inline (the first page in one
 * round trip), allowed by the Content-Security-Policy through their hashes, so that no other
 * script or style can run. The script (src/console/page/app.ts) and style are bundled at build
 * time into the module `console-assets` (scripts/build.mjs): nothing is fetched from elsewhere.
 */
import { createHash } from 'node:crypto';
import { APP_CSS, APP_JS } from 'console-assets';

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's policy: its own inline script and style, its own API, nothing else. */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hash(APP_JS)}`,
  `style-src ${hash(APP_CSS)}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const escapeHtml = (text: string) => text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page, with the session's CSRF token for the script to send with every change. */
export function pageHtml(csrfToken: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(csrfToken)}">
<link rel="icon" href="data:,">
<title>Organizations · orgs Console</title>
<style>${APP_CSS}</style>
</head>
<body>
<div id="app"><p class="loading">Loading…</p></div>
<script>${APP_JS}</script>
</body>
</html>
`;
}

const NOTICE_CSS =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2733}' +
  'code{background:#eef1f4;padding:0 .25em;border-radius:3px}';

/** The policy of the notice: its style, nothing else. */
export const NOTICE_CSP = [
  "default-src 'none'",
  `style-src ${hash(NOTICE_CSS)}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * What a browser shows instead of the Console when it has no session (the one-time link opened
 * again, or another browser): `heading`, and how to get a new link.
 */
export function noticeHtml(heading: string): string {
  const title = escapeHtml(heading);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · orgs Console</title>
<style>${NOTICE_CSS}</style>
</head>
<body>
<h1>${title}</h1>
<p>Each link <code>orgs console</code> prints opens the Console once, in one browser. To open it,
run <code>orgs console</code> again in your terminal and open the new link it prints.</p>
</body>
</html>
`;
}
