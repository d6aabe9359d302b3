/// The OpenAPI 3.1 description of the server's routes, served at `GET /openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = """
        openapi: 3.1.0
        info:
          title: llmrank serve
          version: 0.1.0
        paths: {}
        """
}
