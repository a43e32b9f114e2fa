import OrangeCore
import Testing

struct EngineReadProtocolTests {
    @Test func anAnswerWithLongStringsRoundTripsWithTheStringsAttachedRaw() throws {
        let long = String(repeating: "line \"quoted\" \\ é\n", count: 500)
        let answer = JSONValue.object([("text", .string(long)), ("json_text", .string(long + "!")), ("short", .string("s"))])
        let wire = EngineReadProtocol.encodeAnswer(answer)
        let header = try #require(wire.split(separator: "\n", maxSplits: 1).first)
        // The header line holds no long string: they follow it, unescaped.
        #expect(header.utf8.count < 200)
        let decoded = try #require(EngineReadProtocol.decodeAnswer(Array(wire.utf8) + [10]))
        #expect(decoded["text"] == .string(long) && decoded["json_text"] == .string(long + "!") && decoded["short"] == "s")
    }

    @Test func anotherVersionADeclineOrACutAnswerIsNoAnswer() throws {
        #expect(EngineReadProtocol.decodeAnswer(Array(#"{"v":2,"answer":{"text":"x"}}"#.utf8)) == nil)
        #expect(EngineReadProtocol.decodeAnswer(Array(EngineReadProtocol.encodeDecline(.init("busy")).utf8)) == nil)
        let wire = EngineReadProtocol.encodeAnswer(.object([("text", .string(String(repeating: "x", count: 5000)))]))
        #expect(EngineReadProtocol.decodeAnswer(Array(wire.utf8.dropLast(10))) == nil)
    }

    @Test func aRequestRoundTripsAndAnotherVersionIsDeclined() throws {
        let request = EngineReadProtocol.Request(token: "read-1-2", kind: .checkUpdate, arguments: .object([("id", "a")]))
        #expect(try EngineReadProtocol.decodeRequest(EngineReadProtocol.encode(request)).get() == request)
        guard case .failure = EngineReadProtocol.decodeRequest(#"{"v":7,"token":"t","kind":"list"}"#) else {
            Issue.record("another version was accepted")
            return
        }
    }

    /// A command that takes the list as a descriptor says so; an older one does not, and an
    /// answer whose text is in a descriptor names it and its length, nothing after the header.
    @Test func aListPassedAsADescriptorIsNamedInTheHeader() throws {
        let taking = EngineReadProtocol.Request(token: "read-1-3", kind: .list, arguments: .object([]), takesDescriptor: true)
        #expect(try EngineReadProtocol.decodeRequest(EngineReadProtocol.encode(taking)).get() == taking)
        let older = #"{"v":1,"token":"read-1-4","kind":"list","arguments":{}}"#
        #expect(try EngineReadProtocol.decodeRequest(older).get().takesDescriptor == false)

        let wire = EngineReadProtocol.encodeAnswer([("text", .string(""))], passing: "json_text", count: 123_456)
        #expect(wire.last == 10 && wire.filter { $0 == 10 }.count == 1)
        let (answer, count) = try #require(EngineReadProtocol.decodePassedAnswer(wire + [10], key: "json_text"))
        #expect(answer == .object([("text", .string(""))]) && count == 123_456)
        // Another key, or an attached answer, is not one passed as a descriptor.
        #expect(EngineReadProtocol.decodePassedAnswer(wire, key: "text") == nil)
        let attached = EngineReadProtocol.encodeAnswer([("text", .string(""))], attaching: "json_text", raw: Array("{}".utf8))
        #expect(EngineReadProtocol.decodePassedAnswer(attached, key: "json_text") == nil)
    }
}
