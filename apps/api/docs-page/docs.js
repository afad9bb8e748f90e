// The reference renders this server's own document; nothing is loaded from anywhere else
// (no validator badge, no remote specs).
window.ui = SwaggerUIBundle({
  url: new URL('../openapi.json', window.location.href).pathname,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
  queryConfigEnabled: false,
});
