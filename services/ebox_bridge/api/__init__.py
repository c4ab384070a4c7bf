"""The letters API: back-office systems send and follow letters over HTTP (`/v1/letters…`).

Handlers parse, call the intake's own checks and the repositories, and answer; the only HTTP
code of the bridge. Its OpenAPI 3.1 document is served at `/docs/openapi.json`."""
