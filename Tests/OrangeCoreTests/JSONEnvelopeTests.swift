import OrangeCore
import Testing

@Suite struct JSONEnvelopeTests {
    @Test func theSchemaComesFirstAndIsNeverRepeated() {
        let wrapped = JSONEnvelope.wrap(.object([("task", .object([("id", "a")])), ("schema", .int(7))]))
        #expect(wrapped.objectValue?.map(\.0) == ["schema", "task"])
        #expect(wrapped["schema"] == .int(JSONEnvelope.schema))
    }

    @Test func errorsAndWarningsAreEnvelopesToo() {
        let usage = JSONEnvelope.error("bad option", usage: true)
        #expect(usage.rendered() == #"{"schema":1,"error":{"kind":"usage","message":"bad option"}}"#)
        #expect(JSONEnvelope.error("gone", usage: false)["error"]?["kind"] == "failure")
        #expect(JSONEnvelope.warning("careful").rendered() == #"{"schema":1,"warning":"careful"}"#)
    }
}
