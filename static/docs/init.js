// Starts Swagger UI on the service's own OpenAPI document. It is a file of its own, loaded after
// the bundle (both deferred), because the page's Content-Security-Policy allows no inline script.
"use strict";

window.SwaggerUIBundle({
  // Same origin: connect-src 'self' covers both this document and the requests "Try it out" sends.
  url: "/v1/openapi.json",
  dom_id: "#swagger-ui",
  // The base layout alone: the standalone top bar invites loading other documents from elsewhere.
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // The default fetches a badge image from an outside validator, which img-src 'self' refuses.
  validatorUrl: null,
  // A bearer token typed into "Authorize" stays in this page's memory and is gone on reload, as in
  // the app: nothing is written to localStorage for another script or user of the browser to read.
  persistAuthorization: false,
  // Shareable links to an operation: the fragment holds its tag and operation id, never typed values.
  deepLinking: true,
});
