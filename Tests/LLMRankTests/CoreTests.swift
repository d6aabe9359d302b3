import Testing
@testable import LLMRank

@Suite struct CoreTests {
    @Test func rankedListRenumbersOnReorder() {
        var list = RankedList(documents: [Document(id: "a", text: "A"), Document(id: "b", text: "B")])
        #expect(list.candidates.map(\.rank) == [1, 2])
        list.reorder(list.candidates.reversed())
        #expect(list.ids == ["b", "a"])
        #expect(list.candidates.map(\.rank) == [1, 2])
    }
}
