/// The judging methods llmrank knows: one strategy type each. `JudgeMethod.allCases`, the prompt
/// loader's `method` field, profiles' `judge.method` and `--method` all read this list.
///
/// Adding a method: its strategy file here in `Judging/` (with its `JudgeMethod` constant), its
/// contract in `Prompts/Contracts/` when its prompts' output section is new, one line below, and
/// its shipped prompt in `prompts/` (then regenerate `ShippedPrompts.swift`).
enum MethodRegistry {
    /// Every method's strategy, in the order help texts and errors list the methods.
    static let strategies: [any RankingStrategy.Type] = [
        PointwiseStrategy.self,
        AspectsStrategy.self,
        YesNoStrategy.self,
        ListwiseStrategy.self,
        FirstStrategy.self,
        PairwiseStrategy.self,
        SetwiseStrategy.self,
    ]

    /// Every method's output contract, in the same order.
    static var contracts: [any ContractReading.Type] { strategies.map { $0.contractType } }

    /// The strategy of the method named `name`, if there is one.
    static func strategy(named name: String) -> (any RankingStrategy.Type)? {
        strategies.first { $0.method.rawValue == name }
    }

    /// The strategy that judges with `prompt`: the one its output contract belongs to.
    static func strategy(for prompt: PromptTemplate, options: JudgeOptions) -> (any RankingStrategy)? {
        for type in strategies {
            if let strategy = type.make(prompt: prompt, options: options) { return strategy }
        }
        return nil
    }
}
