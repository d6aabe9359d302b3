/// Scoped lifetimes: run a body, then always run the teardown (after a return, an error or
/// cancellation), and hand back the body's result or rethrow its error.
enum Scoped {
    static func run<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T,
                       teardown: () async -> Void) async throws -> T
    {
        let result: T
        do {
            result = try await body()
        } catch {
            await teardown()
            throw error
        }
        await teardown()
        return result
    }
}
