import Testing

/// The parsers' suites, nested so `swift test --filter Parsing` runs exactly them.
@Suite enum ParsingTests {}
