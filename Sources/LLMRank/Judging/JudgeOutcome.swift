/// What a judge stage returns: the reordered list and the record of every call it made.
public struct JudgeOutcome: Sendable {
    /// Every document of the incoming list, in the judge's order.
    public var list: RankedList
    /// The calls the judge made, and how long it took.
    public var trace: StageTrace
}
