/// The OpenAPI 3.1 description of the server's routes, served at `GET /openapi.yaml`. A test keeps
/// its paths equal to the routes the server answers.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: llmrank serve
          version: 0.1.0
          description: >-
            Rerank documents with a served llmrank profile, in the Cohere (v1, v2), Jina, Hugging Face
            TEI, llama.cpp and vLLM request shapes, or llmrank's own. `model` names a profile (GET /v1/models);
            absent, the default one. relevance_score is in [0, 1] and strictly decreasing down the results.
        security:
          - {}
          - bearer: []
        paths:
          /v1/rerank:
            post:
              summary: Cohere v1, Jina, llama.cpp and vLLM (also rank_llm's body with `candidates`)
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/V1Request'}}}}
              responses:
                '200': {description: 'Results, best first', content: {application/json: {schema: {$ref: '#/components/schemas/RerankResponse'}}}}
                default: {$ref: '#/components/responses/Error'}
          /v1/reranking:
            post:
              summary: llama.cpp's alias of /v1/rerank (a body with `texts` is answered in TEI's shape)
              requestBody: {required: true, content: {application/json: {schema: {anyOf: [{$ref: '#/components/schemas/TEIRequest'}, {$ref: '#/components/schemas/V1Request'}]}}}}
              responses:
                '200':
                  description: 'Results, best first'
                  content: {application/json: {schema: {oneOf: [{$ref: '#/components/schemas/TEIResponse'}, {$ref: '#/components/schemas/RerankResponse'}]}}}
                default: {$ref: '#/components/responses/Error'}
          /v2/rerank:
            post:
              summary: Cohere v2
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/CohereRequest'}}}}
              responses:
                '200': {description: 'Results, best first', content: {application/json: {schema: {$ref: '#/components/schemas/RerankResponse'}}}}
                default: {$ref: '#/components/responses/Error'}
          /rerank:
            post:
              summary: Hugging Face TEI when the body has `texts` (a bare array back); else as /v1/rerank
              requestBody:
                required: true
                content: {application/json: {schema: {anyOf: [{$ref: '#/components/schemas/TEIRequest'}, {$ref: '#/components/schemas/V1Request'}]}}}
              responses:
                '200':
                  description: 'Results, best first'
                  content: {application/json: {schema: {oneOf: [{$ref: '#/components/schemas/TEIResponse'}, {$ref: '#/components/schemas/RerankResponse'}]}}}
                default: {$ref: '#/components/responses/Error'}
          /llmrank/v1/rerank:
            post:
              summary: "llmrank's own shape: ids, metadata, raw and per-stage scores, flags, a trace summary"
              requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/NativeRequest'}}}}
              responses:
                '200': {description: 'Every candidate, best first', content: {application/json: {schema: {$ref: '#/components/schemas/NativeResponse'}}}}
                default: {$ref: '#/components/responses/Error'}
          /v1/models:
            get:
              summary: The served profiles, as models
              responses:
                '200': {description: The profiles, content: {application/json: {schema: {$ref: '#/components/schemas/Models'}}}}
                default: {$ref: '#/components/responses/Error'}
          /health:
            get:
              summary: Liveness (no key needed)
              security: [{}]
              responses:
                '200': {description: Alive, content: {application/json: {schema: {type: object, properties: {status: {const: ok}}}}}}
          /ready:
            get:
              summary: Readiness (every profile loaded, every judge's endpoint answering; probed at most every few seconds)
              responses:
                '200': {description: Ready, content: {application/json: {schema: {type: object, properties: {status: {type: string}, profiles: {type: array, items: {type: string}}}}}}}
                '503': {description: 'Not ready: the reasons name the profile and its endpoint', content: {application/json: {schema: {type: object, properties: {status: {type: string}, profiles: {type: array, items: {type: string}}, reasons: {type: array, items: {type: string}}}}}}}
                default: {$ref: '#/components/responses/Error'}
          /metrics:
            get:
              summary: Prometheus metrics
              responses:
                '200': {description: The text exposition format, content: {text/plain: {schema: {type: string}}}}
                default: {$ref: '#/components/responses/Error'}
          /openapi.yaml:
            get:
              summary: This document
              responses:
                '200': {description: OpenAPI 3.1, content: {application/yaml: {schema: {type: string}}}}
                default: {$ref: '#/components/responses/Error'}
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer, description: 'Required when the server runs with --server-keys'}
          responses:
            Error:
              description: 'A 4xx names the field at fault (400 malformed JSON, 401 key, 404 route or model, 405 method, 413 too large, 422 invalid, 429 busy); 5xx: the LLM endpoint failed'
              content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
          schemas:
            Error:
              type: object
              required: [message, error, error_type]
              properties:
                message: {type: string}
                error: {type: string}
                error_type: {type: string}
                field: {type: string}
            Text:
              type: string
              pattern: '\S'
              description: Not empty, not only whitespace
            Document:
              oneOf:
                - {type: string}
                - {type: object, required: [text], properties: {text: {type: string}}}
            Count:
              type: [integer, 'null']
              minimum: 1
              maximum: 1000000
            CohereRequest:
              type: object
              required: [query, documents]
              properties:
                model: {type: [string, 'null'], description: 'A served profile (absent, empty or "default": the default one)'}
                query: {$ref: '#/components/schemas/Text'}
                documents: {type: array, items: {$ref: '#/components/schemas/Document'}, description: 'At most --max-documents (1000 by default)'}
                top_n: {$ref: '#/components/schemas/Count'}
                max_tokens_per_doc: {$ref: '#/components/schemas/Count', description: 'Documents are cut to this many words'}
                max_chunks_per_doc: {$ref: '#/components/schemas/Count'}
            CohereV1Request:
              allOf:
                - {$ref: '#/components/schemas/CohereRequest'}
                - type: object
                  properties:
                    return_documents: {type: [boolean, 'null'], default: false}
                    rank_fields: {type: [array, 'null'], items: {type: string}, description: 'Object documents: those of these fields they have, joined as name: value lines (a value that is not a string as its JSON), instead of text; a document with none of them uses text'}
            RankLLMRequest:
              type: object
              required: [query, candidates]
              not: {required: [documents]}
              properties:
                model: {type: [string, 'null']}
                query:
                  oneOf:
                    - {$ref: '#/components/schemas/Text'}
                    - {type: object, required: [text], properties: {text: {$ref: '#/components/schemas/Text'}, qid: {type: [string, 'null']}}}
                candidates:
                  type: array
                  items:
                    oneOf:
                      - {type: string}
                      - {type: object, required: [text], properties: {text: {type: string}}}
                      - type: object
                        required: [doc]
                        not: {required: [text]}
                        properties:
                          doc:
                            oneOf:
                              - {type: string}
                              - type: object
                                anyOf: [{required: [text], properties: {text: {type: string}}}, {required: [contents], properties: {contents: {type: string}}}, {required: [content], properties: {content: {type: string}}}, {required: [segment], properties: {segment: {type: string}}}]
                                properties: {text: {type: [string, 'null']}, contents: {type: [string, 'null']}, content: {type: [string, 'null']}, segment: {type: [string, 'null']}}
                top_n: {$ref: '#/components/schemas/Count'}
                return_documents: {type: [boolean, 'null']}
            V1Request:
              anyOf:
                - {$ref: '#/components/schemas/CohereV1Request'}
                - {$ref: '#/components/schemas/RankLLMRequest'}
            RerankResponse:
              type: object
              required: [id, model, results]
              properties:
                id: {type: string}
                model: {type: string}
                object: {const: list}
                results:
                  type: array
                  items:
                    type: object
                    required: [index, relevance_score]
                    properties:
                      index: {type: integer, minimum: 0}
                      relevance_score: {type: number, minimum: 0, maximum: 1}
                      document: {type: object, properties: {text: {type: string}}}
                usage: {$ref: '#/components/schemas/Usage'}
                meta:
                  type: object
                  properties:
                    api_version: {type: object, properties: {version: {type: string}}}
                    billed_units: {type: object, properties: {search_units: {type: integer}}}
            TEIRequest:
              type: object
              required: [query, texts]
              not: {required: [documents]}
              properties:
                model: {type: [string, 'null']}
                query: {$ref: '#/components/schemas/Text'}
                texts: {type: array, items: {type: string}}
                raw_scores: {type: [boolean, 'null'], default: false}
                return_text: {type: [boolean, 'null'], default: false}
                truncate: {type: [boolean, 'null']}
                truncation_direction: {type: [string, 'null'], pattern: '^([Ll][Ee][Ff][Tt]|[Rr][Ii][Gg][Hh][Tt])$'}
            TEIResponse:
              type: array
              items:
                type: object
                required: [index, score]
                properties:
                  index: {type: integer, minimum: 0}
                  score: {type: [number, 'null']}
                  text: {type: string}
            NativeRequest:
              type: object
              required: [query, documents]
              properties:
                profile: {type: [string, 'null']}
                model: {type: [string, 'null'], description: Read when profile is absent}
                query:
                  oneOf:
                    - {$ref: '#/components/schemas/Text'}
                    - {type: object, required: [text], properties: {id: {type: [string, 'null']}, text: {$ref: '#/components/schemas/Text'}}}
                documents:
                  type: array
                  description: 'A document without an id has its index as id; ids may repeat (index tells them apart)'
                  items:
                    oneOf:
                      - {type: string}
                      - {type: object, required: [text], properties: {id: {type: [string, integer, 'null'], minimum: -999999999999999, maximum: 999999999999999}, text: {type: string}}}
                top_n: {$ref: '#/components/schemas/Count'}
                with_text: {type: [boolean, 'null'], default: false}
                method: {enum: [pointwise, aspects, yesno, listwise, first, pairwise, setwise, encoder, null], description: "Overrides the profile's method: a judge method (over the profile's endpoint) or encoder (a 409 when the profile lacks that stage)"}
                budget:
                  type: [object, 'null']
                  additionalProperties: false
                  description: "Overrides the profile's budget for this request (the deadline held to --request-timeout)"
                  properties:
                    max_calls: {type: [integer, 'null'], minimum: 1, maximum: 1000000}
                    max_tokens: {type: [integer, 'null'], minimum: 1, maximum: 1000000000}
                    deadline: {type: [number, 'null'], exclusiveMinimum: 0, maximum: 86400, description: Seconds}
            NativeResponse:
              type: object
              required: [id, profile, candidates, usage, trace]
              properties:
                id: {type: string}
                profile: {type: string}
                query_id: {type: string}
                candidates:
                  type: array
                  items:
                    type: object
                    required: [id, index, rank, score, relevance_score, stage_scores, flags, metadata]
                    properties:
                      id: {type: string}
                      index: {type: integer}
                      rank: {type: integer, minimum: 1}
                      score: {type: [number, 'null']}
                      relevance_score: {type: number, minimum: 0, maximum: 1}
                      stage_scores: {type: object, additionalProperties: {type: [number, 'null']}}
                      flags: {type: array, items: {type: object, properties: {code: {type: string}, stage: {type: [string, 'null']}, detail: {type: string}}}}
                      metadata: {type: object}
                      text: {type: string}
                usage: {$ref: '#/components/schemas/Usage'}
                trace: {type: object}
            Usage:
              type: object
              properties:
                prompt_tokens: {type: integer}
                completion_tokens: {type: integer}
                total_tokens: {type: integer}
            Models:
              type: object
              properties:
                object: {const: list}
                data:
                  type: array
                  items:
                    type: object
                    required: [id]
                    properties:
                      id: {type: string}
                      object: {const: model}
                      owned_by: {type: string}
                      default: {type: boolean}
                      description: {type: [string, 'null']}
        """#
}
