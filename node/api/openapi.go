package api

import _ "embed"

// openAPIDoc is the OpenAPI 3.1 description of the REST API, served at
// /v1/openapi.json. It is written by hand; a test checks it covers every
// route and view type field.
//
//go:embed openapi.json
var openAPIDoc []byte
