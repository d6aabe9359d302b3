import Foundation
import Testing
@testable import LLMRank

@Suite struct LoopbackHTTPTests {
    @Test func parsesAContentLengthReply() throws {
        let raw = Data("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}trailing".utf8)
        let reply = try LoopbackHTTP.parse(raw, path: "/health")
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        #expect(reply.text == "{\"status\":\"ok\"}")
    }

    @Test func parsesAChunkedReply() throws {
        let raw = Data("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nLoad\r\n5\r\ning..\r\n0\r\n\r\n".utf8)
        let reply = try LoopbackHTTP.parse(raw, path: "/health")
        #expect(reply.status == 503)
        #expect(reply.text == "Loading..")
    }

    @Test func rejectsAReplyWithoutHeaders() {
        #expect(throws: LLMRankError.self) { try LoopbackHTTP.parse(Data("garbage".utf8), path: "/health") }
        #expect(throws: LLMRankError.self) { try LoopbackHTTP.parse(Data("SSH-2.0\r\n\r\n".utf8), path: "/x") }
    }

    @Test func freePortIsFreeAndClosedPortAnswersNil() throws {
        let port = try LoopbackHTTP.freePort()
        #expect(port > 0 && port < 65_536)
        #expect(!LoopbackHTTP.isListening(port: port))
        #expect(try LoopbackHTTP.request(port: port, path: "/health") == nil)
    }
}
