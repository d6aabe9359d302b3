// Generated from prompts/*.yaml by `LLMRANK_UPDATE_PROMPTS=1 swift test --filter ShippedPromptFiles`.
// Do not edit: edit the YAML file and regenerate; a test fails while the two differ.

enum ShippedPrompts {
    static let files: [(name: String, yaml: String)] = [
        ("aspects", #"""
# llmrank prompt: three aspects in one call, total out of 10.
name: aspects
method: aspects
version: "1"
description: Direct answer (0-5), completeness (0-3) and factual accuracy (0-2); total out of 10.
placeholders: [query, document]

system: |-
  You are an expert search quality rater. You assess a passage against a search query on several aspects, each on its own scale, from what the passage says. You answer only in the format asked.

user: |-
  Search query:
  {{query}}

  Passage:
  {{document}}

  Rate the passage on three aspects:
  - direct_answer (0-5): does the passage directly answer the query? 0 = not at all, 5 = it states the answer plainly.
  - completeness (0-3): does it cover everything the query asks for? 0 = nothing, 3 = every part of the query.
  - factual_accuracy (0-2): is what it says about the query correct and consistent? 0 = wrong or contradictory, 1 = partly, 2 = correct as far as the passage shows.

  Reply with only a JSON object of the form {"completeness": C, "direct_answer": D, "factual_accuracy": F} with integer values.

repair: |-
  Your previous reply could not be read. Reply with only a JSON object of the form {"completeness": C, "direct_answer": D, "factual_accuracy": F}, where direct_answer is an integer from 0 to 5, completeness from 0 to 3 and factual_accuracy from 0 to 2, and nothing else.

rubric:
  - {name: direct_answer, min: 0, max: 5, weight: 1, description: The passage answers the query directly.}
  - {name: completeness, min: 0, max: 3, weight: 1, description: Every part of the query is covered.}
  - {name: factual_accuracy, min: 0, max: 2, weight: 1, description: What the passage says is correct.}

output:
  json_schema:
    type: object
    properties:
      completeness: {type: integer, minimum: 0, maximum: 3}
      direct_answer: {type: integer, minimum: 0, maximum: 5}
      factual_accuracy: {type: integer, minimum: 0, maximum: 2}
    required: [completeness, direct_answer, factual_accuracy]
    additionalProperties: false

"""#),
        ("first", #"""
# llmrank prompt: first - single-token listwise (FIRST): a window of lettered passages, ordered by the first answer token's logprobs.
name: first
method: first
version: "1"
description: Orders a window of passages labelled [A], [B], ... by relevance; the first token of a ranking like B > A > C is read with its logprobs (without them, the whole ranking).
placeholders: [query, documents, num, last_label]

system: |-
  You are a search relevance expert. You order passages by how relevant they are to a search query, and you answer only with the passage labels in the format asked.

user: |-
  Below are {{num}} passages, each starting with a letter label in square brackets. Order them by how relevant they are to this search query: {{query}}

  {{#documents}}
  [{{label}}] {{text}}

  {{/documents}}
  Search query: {{query}}

  Order all {{num}} passages above from most to least relevant to the search query. Reply with the labels only, most relevant first, without brackets, in the form B > A > C. Use every label from A to {{last_label}} exactly once and write nothing else.

repair: |-
  Your previous reply was not a complete ordering. Reply again with all {{num}} passage labels from A to {{last_label}}, most relevant first, each exactly once, in the form B > A > C, and nothing else.

output:
  format: "B > A > C"
  labels: letters

"""#),
        ("listwise", #"""
# llmrank prompt: RankGPT-style listwise permutation over a window of numbered passages.
name: listwise
method: listwise
version: "1"
description: Orders a window of numbered passages by relevance; the reply is a permutation like [2] > [1] > [3].
placeholders: [query, documents, num]

system: |-
  You are a search relevance expert. You order passages by how relevant they are to a search query, and you answer only with the passage numbers in the format asked.

user: |-
  Below are {{num}} passages, each marked with a number in square brackets. Order them by how relevant they are to this search query: {{query}}

  {{#documents}}
  [{{rank}}] {{text}}

  {{/documents}}
  Search query: {{query}}

  Order all {{num}} passages above from most to least relevant to the search query. Reply with the passage numbers only, most relevant first, in the form [2] > [1] > [3]. Use every number from 1 to {{num}} exactly once and write nothing else.

repair: |-
  Your previous reply was not a complete ordering. Reply again with all {{num}} passage numbers, most relevant first, each exactly once, in the form [2] > [1] > [3], and nothing else.

output:
  text_pattern: '\[(\d+)\]'
  format: "[2] > [1] > [3]"

"""#),
        ("pairwise", #"""
# llmrank prompt: pairwise ranking prompting (PRP) - which of two labelled passages is more relevant?
name: pairwise
method: pairwise
version: "1"
description: Which of two passages, labelled [1] and [2], is more relevant to the query; the reply is one label like [1].
placeholders: [query, documents]

system: |-
  You are a search relevance expert. You compare two passages for a search query and answer only with the label of the more relevant one.

user: |-
  Search query: {{query}}

  Two passages follow, each starting with its label in square brackets.

  {{#documents}}
  [{{rank}}] {{text}}

  {{/documents}}
  Which passage is more relevant to the search query "{{query}}"? Reply with its label only: [1] or [2].

repair: |-
  Your previous reply did not name a passage. Reply with the label of the more relevant passage only: [1] or [2].

output:
  format: "[1]"

"""#),
        ("pointwise-0to10", #"""
# llmrank prompt: pointwise relevance on a 0-10 scale with a brief reasoning written first.
name: pointwise-0to10
method: pointwise
version: "1"
description: Relevance of one passage to the query, 0-10, after one or two sentences of reasoning.
placeholders: [query, document]

system: |-
  You are an expert search quality rater. You judge how relevant a passage is to a search query, from what the passage says, not from what you know yourself. You answer only in the format asked.

user: |-
  Search query:
  {{query}}

  Passage:
  {{document}}

  How relevant is the passage to the search query? Grade it from 0 to 10:
  10 = the passage is about the query and answers it completely and precisely.
  7-9 = the passage answers the query, with minor gaps or some unrelated material.
  4-6 = the passage answers part of the query, or answers it only indirectly.
  1-3 = the passage is on the topic of the query but does not answer it.
  0 = the passage has nothing to do with the query.

  First explain your judgment in one or two short sentences, then give the grade. Reply with only a JSON object of the form {"reasoning": "...", "score": N}, where N is an integer from 0 to 10.

repair: |-
  Your previous reply could not be read. Reply with only a JSON object of the form {"reasoning": "...", "score": N}, with one short sentence of reasoning and N an integer from 0 to 10, and nothing else.

output:
  scale: {min: 0, max: 10}
  score_field: score
  # Structured outputs generate properties in the order sent; the request is encoded with sorted
  # keys, so "reasoning" comes before "score" and the model reasons before it grades.
  json_schema:
    type: object
    properties:
      reasoning: {type: string}
      score: {type: integer, minimum: 0, maximum: 10}
    required: [reasoning, score]
    additionalProperties: false
  text_pattern: '(?i)"?\bscore"?\s*[:=]\s*(-?\d+(?:\.\d+)?)'

"""#),
        ("pointwise-1to5", #"""
# llmrank prompt: pointwise relevance on a 1-5 scale, one call per document.
name: pointwise-1to5
method: pointwise
version: "1"
description: Relevance of one passage to the query, graded 1 (irrelevant) to 5 (perfect answer).
placeholders: [query, document]

system: |-
  You are an expert search quality rater. You judge how relevant a passage is to a search query, from what the passage says, not from what you know yourself. You answer only in the format asked.

user: |-
  Search query:
  {{query}}

  Passage:
  {{document}}

  How relevant is the passage to the search query? Grade it on this scale:
  5 = perfect: the passage is about the query and answers it completely.
  4 = highly relevant: the passage answers the query, with some gaps or unrelated material.
  3 = partly relevant: the passage answers part of the query, or answers it only indirectly.
  2 = related: the passage is on the topic of the query but does not answer it.
  1 = irrelevant: the passage has nothing to do with the query.

  Reply with only a JSON object of the form {"score": N}, where N is an integer from 1 to 5.

repair: |-
  Your previous reply could not be read. Reply with only a JSON object of the form {"score": N}, where N is an integer from 1 to 5, and nothing else.

output:
  scale: {min: 1, max: 5}
  score_field: score
  json_schema:
    type: object
    properties:
      score: {type: integer, minimum: 1, maximum: 5}
    required: [score]
    additionalProperties: false
  # Used when a reply is not JSON: {"score": 4}, score: 4, Score = 4.
  text_pattern: '(?i)"?\bscore"?\s*[:=]\s*(-?\d+(?:\.\d+)?)'

"""#),
        ("setwise", #"""
# llmrank prompt: setwise - which of a set of labelled passages is most relevant?
name: setwise
method: setwise
version: "1"
description: Which of a set of passages, labelled [1] to [n], is most relevant to the query; the reply is one label like [3].
placeholders: [query, documents, num]

system: |-
  You are a search relevance expert. You compare a set of passages for a search query and answer only with the label of the most relevant one.

user: |-
  Search query: {{query}}

  {{num}} passages follow, each starting with its label in square brackets.

  {{#documents}}
  [{{rank}}] {{text}}

  {{/documents}}
  Which passage is most relevant to the search query "{{query}}"? Reply with its label only, one of [1] to [{{num}}].

repair: |-
  Your previous reply did not name a passage. Reply with the label of the most relevant passage only, one of [1] to [{{num}}].

output:
  format: "[1]"

"""#),
        ("yesno", #"""
# llmrank prompt: is the passage relevant? One token, read through its logprobs.
name: yesno
method: yesno
version: "1"
description: Is the passage relevant to the query? Yes or No; score = P(Yes) / (P(Yes) + P(No)).
placeholders: [query, document]

system: |-
  You are an expert search quality rater. You decide whether a passage is relevant to a search query: relevant means it answers the query or contains information the query asks for. You answer with a single word, Yes or No.

user: |-
  Search query:
  {{query}}

  Passage:
  {{document}}

  Is the passage relevant to the search query? Answer with one word, Yes or No.

repair: |-
  Answer with exactly one word, Yes or No.

output:
  labels: {yes: "Yes", no: "No"}
  text_pattern: '(?i)\b(yes|no)\b'

"""#),
    ]
}
