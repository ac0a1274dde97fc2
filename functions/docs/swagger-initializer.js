// Starts Swagger UI on the OpenAPI document the page carries as a JSON data block (never executed),
// so the page needs no inline script and no request of its own for the document.
window.ui = SwaggerUIBundle({
  spec: JSON.parse(document.getElementById("openapi-document").textContent),
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
