/* global Scalar */
// Scalar's API reference over this deploy's OpenAPI document (src/routes/docs.ts serves the
// page). A file of its own, not an inline script, so the page's CSP needs no hash or nonce.
// Nothing leaves this origin: no default fonts (they come from Scalar's servers), no agent
// (it asks Scalar's proxy for documents), no proxy for "try it", which calls the origin that
// served the page, the document's server.
Scalar.createApiReference('#app', {
  url: '/openapi.json',
  withDefaultFonts: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  telemetry: false,
});
