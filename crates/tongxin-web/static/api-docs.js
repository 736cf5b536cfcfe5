// Starts Swagger UI on /docs/api (the Content-Security-Policy allows no inline script).
// The reference is read-only: "Try it out" is off, since the API needs a session's CSRF
// token or a key that the page does not hold.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    window.SwaggerUIBundle({
      url: root.getAttribute("data-url"),
      domNode: root,
      deepLinking: true,
      supportedSubmitMethods: [],
      defaultModelsExpandDepth: 0,
      docExpansion: "list",
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
