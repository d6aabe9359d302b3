import Foundation
import Testing
@testable import LLMRank

@Suite struct EvalMetricParsingTests {
    @Test func parsesOurNamesAndTrecEvalNames() throws {
        let list = try Metric.parseList("ndcg@10, MRR@10,map,p@5,recall@100,hit@10,ndcg,mrr,map@100")
        #expect(list.map(\.name) == ["ndcg@10", "mrr@10", "map", "p@5", "recall@100", "hit@10", "ndcg", "mrr", "map@100"])
        let trec = try Metric.parseList("ndcg_cut_10,recip_rank,map_cut.100,P_5,recall.100,success_10,precision@3")
        #expect(trec == [.ndcg(10), .mrr(), .map(100), .precision(5), .recall(100), .hit(10), .precision(3)])
        #expect(trec.map(\.trecEvalName) == ["ndcg_cut_10", "recip_rank", "map_cut_100", "P_5", "recall_100", "success_10", "P_3"])
        #expect(Metric.mrr(10).trecEvalName == nil)
        #expect(try Metric.parseList("map,map,ndcg@10,ndcg_cut_10") == [.map(), .ndcg(10)])
        #expect(Metric.defaults.map(\.name) == ["ndcg@10", "mrr@10", "map", "p@5", "recall@100", "hit@10"])
    }

    @Test(arguments: [
        ("ndcg@10,ndgc@10", "unknown metric 'ndgc@10'; use ndcg@k, mrr@k, map, map@k, p@k, recall@k, hit@k"),
        ("ndcg@0", "metric 'ndcg@0': the cutoff must be a positive integer"),
        ("map,p@x", "metric 'p@x': the cutoff must be a positive integer"),
        ("p", "metric 'p' needs a cutoff, e.g. p@10"),
        ("recall", "metric 'recall' needs a cutoff, e.g. recall@10"),
        ("hit@5,hit", "metric 'hit' needs a cutoff, e.g. hit@10"),
        ("ndcg_cut", "metric 'ndcg_cut' needs a cutoff, e.g. ndcg@10"),
        ("recip_rank_5", "metric 'recip_rank_5': recip_rank has no cutoff; use mrr@k"),
        ("map,,ndcg@10", "empty item in metric list 'map,,ndcg@10'"),
        ("", "empty item in metric list ''"),
    ])
    func badItemsAreNamed(text: String, message: String) {
        #expect(evalInvalidInputMessage { _ = try Metric.parseList(text) } == message)
    }
}

@Suite struct EvalMetricValueTests {
    /// Hand-computed: ideal [3, 2, 1] at cutoff 3; the ranking gives 0, 3, 1 (u unjudged).
    @Test func ndcgByHand() {
        let j = ["a": 3, "b": 2, "c": 1, "d": 0]
        let dcg = 3 / log2(3.0) + 1 / log2(4.0)
        let idcg = 3 + 2 / log2(3.0) + 1 / log2(4.0)
        #expect(abs(Metric.ndcg(3).value(ranking: ["u", "a", "c", "b"], judgments: j) - dcg / idcg) < 1e-12)
        #expect(Metric.ndcg(3).value(ranking: ["a", "b", "c"], judgments: j) == 1)
        #expect(Metric.ndcg(3).value(ranking: ["a"], judgments: ["a": 0]) == 0)
    }

    @Test func binaryMetricsByHand() {
        let j = ["a": 1, "b": 2, "c": 0]
        let r = ["c", "x", "b", "a"]
        #expect(Metric.mrr(2).value(ranking: r, judgments: j) == 0)
        #expect(Metric.mrr(3).value(ranking: r, judgments: j) == 1.0 / 3)
        #expect(Metric.map().value(ranking: r, judgments: j) == (1.0 / 3 + 2.0 / 4) / 2)
        #expect(Metric.map(3).value(ranking: r, judgments: j) == (1.0 / 3) / 2)
        #expect(Metric.precision(10).value(ranking: r, judgments: j) == 0.2)
        #expect(Metric.recall(3).value(ranking: r, judgments: j) == 0.5)
        #expect(Metric.hit(2).value(ranking: r, judgments: j) == 0)
        #expect(Metric.hit(3).value(ranking: r, judgments: j) == 1)
        // Threshold 2: only b is relevant.
        #expect(Metric.recall(3).value(ranking: r, judgments: j, relThreshold: 2) == 1)
        #expect(Metric.map().value(ranking: r, judgments: j, relThreshold: 2) == 1.0 / 3)
        // A repeated id counts once, at its first rank.
        #expect(Metric.precision(2).value(ranking: ["a", "a"], judgments: j) == 0.5)
    }
}

/// Metric values against pytrec_eval, from fixtures/eval/*.json (scripts/reference/eval_fixtures.py).
@Suite struct EvalMetricFixtureTests {
    static let tolerance = 1e-9

    struct Case {
        var name: String
        var relevanceLevel: Int
        var metrics: [Metric]
        var qrels: Qrels
        var run: [(queryID: String, ranking: [String])]
        var runScores: [String: [String: Double]]?
        var perQuery: [String: [String: Double]]
        var mean: [String: Double]
        var meanComplete: [String: Double]
    }

    static func cases() throws -> [Case] {
        let fixture = try EvalPaths.loadFixture("synthetic.json")
        let cases = try #require(fixture["cases"] as? [[String: Any]])
        return try cases.map { c in
            let qrelsJSON = try #require(c["qrels"] as? [String: [String: Int]])
            let runJSON = try #require(c["run"] as? [String: [String]])
            return Case(
                name: try #require(c["name"] as? String),
                relevanceLevel: try #require(c["relevance_level"] as? Int),
                metrics: try (try #require(c["metrics"] as? [String])).map { try Metric(parsing: $0) },
                qrels: Qrels(qrelsJSON),
                run: runJSON.keys.sorted().map { (queryID: $0, ranking: runJSON[$0]!) },
                runScores: c["run_scores"] as? [String: [String: Double]],
                perQuery: try #require(c["per_query"] as? [String: [String: Double]]),
                mean: try #require(c["mean"] as? [String: Double]),
                meanComplete: try #require(c["mean_complete"] as? [String: Double]))
        }
    }

    @Test func everySyntheticCaseMatchesPytrecEval() throws {
        let cases = try Self.cases()
        #expect(cases.map(\.name) == ["graded", "binary", "no-relevant", "short-list", "threshold-2", "query-sets",
                                      "negative-grades", "random", "ties"])
        for c in cases {
            let eval = Evaluation(run: c.run, qrels: c.qrels, metrics: c.metrics,
                                  options: EvalOptions(relThreshold: c.relevanceLevel))
            #expect(Set(eval.perQuery.map(\.queryID)) == Set(c.perQuery.keys), "\(c.name)")
            for q in eval.perQuery {
                for m in c.metrics {
                    let want = try #require(c.perQuery[q.queryID]?[m.name])
                    #expect(abs(q.values[m]! - want) < Self.tolerance, "\(c.name) \(q.queryID) \(m): \(q.values[m]!) vs \(want)")
                }
            }
            for m in c.metrics {
                #expect(abs(eval.mean[m]! - c.mean[m.name]!) < Self.tolerance, "\(c.name) mean \(m)")
            }
            let complete = Evaluation(run: c.run, qrels: c.qrels, metrics: c.metrics,
                                      options: EvalOptions(relThreshold: c.relevanceLevel, completeQueries: true))
            #expect(complete.queryCount == c.qrels.judgments.count)
            for m in c.metrics {
                #expect(abs(complete.mean[m]! - c.meanComplete[m.name]!) < Self.tolerance, "\(c.name) complete mean \(m)")
            }
        }
    }

    @Test func querySetsFollowTrecEval() throws {
        let c = try #require(try Self.cases().first { $0.name == "query-sets" })
        let eval = Evaluation(run: c.run, qrels: c.qrels, metrics: c.metrics)
        #expect(eval.perQuery.map(\.queryID) == ["k1", "k3"])
        #expect(eval.unjudgedQueries == ["only-in-run"])
        #expect(eval.missingQueries == ["k2"])
        #expect(eval.perQuery[1].values.values.allSatisfy { $0 == 0 })
    }

    /// The tied run, written as a TREC file and read by `RunReader` (trec_eval's order), evaluates
    /// to what pytrec_eval gives the tied run itself.
    @Test func tiedTRECRunMatchesPytrecEval() throws {
        let c = try #require(try Self.cases().first { $0.name == "ties" })
        let scores = try #require(c.runScores)
        let dir = try EvalScratchDir()
        var lines = ""
        for (qid, docs) in scores {
            for (i, (doc, score)) in docs.sorted(by: { $0.key < $1.key }).enumerated() {
                lines += "\(qid) Q0 \(doc) \(i + 1) \(score) tied\n"
            }
        }
        let run = try dir.write("tied.trec", lines)
        let corpus = try dir.write("c.tsv", scores.values.flatMap(\.keys).map { "\($0)\tx" }.joined(separator: "\n"))
        let topics = try dir.write("t.tsv", scores.keys.map { "\($0)\tq" }.joined(separator: "\n"))
        let queries = try RunReader.readTREC(run: run, corpus: corpus, topics: topics)
        #expect(queries.map(\.ids) == c.run.map(\.ranking))
        let eval = Evaluation(queries: queries, qrels: c.qrels, metrics: c.metrics)
        for q in eval.perQuery {
            for m in c.metrics {
                #expect(abs(q.values[m]! - c.perQuery[q.queryID]![m.name]!) < Self.tolerance, "\(m)")
            }
        }
    }

    /// A shared-data run read by our readers, against the fixture's pytrec_eval values.
    func checkSharedRun(fixture name: String, run: [EvalQuery], qrels: Qrels) throws -> Evaluation {
        let fixture = try EvalPaths.loadFixture(name)
        let metrics = try (try #require(fixture["metrics"] as? [String])).map { try Metric(parsing: $0) }
        let perQuery = try #require(fixture["per_query"] as? [String: [String: Double]])
        let mean = try #require(fixture["mean"] as? [String: Double])
        let eval = Evaluation(queries: run, qrels: qrels, metrics: metrics)
        #expect(eval.queryCount == perQuery.count)
        for q in eval.perQuery {
            for m in metrics {
                let want = try #require(perQuery[q.queryID]?[m.name])
                #expect(abs(q.values[m]! - want) < Self.tolerance, "\(name) \(q.queryID) \(m)")
            }
        }
        for m in metrics { #expect(abs(eval.mean[m]! - mean[m.name]!) < Self.tolerance, "\(name) mean \(m)") }
        return eval
    }

    @Test(.needsSharedData) func dl19BM25MatchesPytrecEvalAndThePaper() throws {
        let run = try RunReader.readRankLLM(path: try EvalPaths.sharedData("trec-dl19/bm25-top100.json"))
        let qrels = try QrelsReader.read(path: try EvalPaths.sharedData("trec-dl19/qrels.json"))
        let eval = try checkSharedRun(fixture: "dl19-bm25.json", run: run, qrels: qrels)
        // The RankGPT paper's BM25 figure.
        #expect(abs(eval.mean[.ndcg(10)]! - 0.5058) <= 0.00005)
        #expect(eval.unjudgedQueries.isEmpty && eval.missingQueries.isEmpty)
    }

    @Test(.needsSharedData) func novelEvalInputOrderMatchesPytrecEval() throws {
        let run = try RunReader.readRankLLM(path: try EvalPaths.sharedData("noveleval/data.json"))
        let qrels = try QrelsReader.read(path: try EvalPaths.sharedData("noveleval/qrels.txt"))
        let eval = try checkSharedRun(fixture: "noveleval-input.json", run: run, qrels: qrels)
        #expect(eval.queryCount == 21)
    }
}

@Suite struct EvalReportTests {
    @Test func tableAndJSON() throws {
        let qrels = Qrels(["1": ["a": 2, "b": 1], "2": ["x": 1], "3": ["y": 1]])
        let eval = Evaluation(run: [(queryID: "1", ranking: ["b", "a"]), (queryID: "2", ranking: ["z"]),
                                    (queryID: "9", ranking: ["a"])],
                              qrels: qrels, metrics: [.hit(1), .mrr(), .precision(3)])
        #expect(eval.table() == "hit@1\tall\t0.5000\nmrr\tall\t0.5000\np@3\tall\t0.3333\n")
        #expect(eval.table(perQuery: true).hasPrefix("hit@1\t1\t1.0000\nmrr\t1\t1.0000\np@3\t1\t0.6667\nhit@1\t2\t0.0000\n"))
        let json = eval.jsonValue
        #expect(json["mean"] == ["hit@1": 0.5, "mrr": 0.5, "p@3": .number(1.0 / 3)])
        #expect(json["queries"] == 2)
        #expect(json["per_query"]?["2"]?["hit@1"] == 0)
        #expect(json["unjudged_queries"] == ["9"])
        #expect(json["missing_queries"] == ["3"])
        #expect(Evaluation.format(0.50583) == "0.5058")
        #expect(Evaluation.format(0.99996) == "1.0000")
        #expect(Evaluation.format(0) == "0.0000")
    }
}
