import OrangeCore
import Testing

@Suite struct JSONTests {
    @Test func rendersInKeyOrderWithEscapes() {
        let value: JSONValue = .object([("b", 1), ("a", .string("q\"\\\n\u{01}é")), ("c", .array([true, nil]))])
        #expect(value.rendered() == #"{"b":1,"a":"q\"\\\n\u0001é","c":[true,null]}"#)
        #expect(value.prettyRendered() == "{\n  \"b\": 1,\n  \"a\": \"q\\\"\\\\\\n\\u0001é\",\n  \"c\": [\n    true,\n    null\n  ]\n}")
    }

    @Test func parsesWhatItRenders() throws {
        let value: JSONValue = .object([
            ("name", "x"), ("n", -42), ("f", .double(1.5)), ("list", .array([.object([]), .array([])])), ("s", "😀\t"),
        ])
        #expect(try JSONValue.parse(value.rendered()) == value)
        #expect(try JSONValue.parse(value.prettyRendered()) == value)
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == "😀")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":1,}", "\"\\x\"", "-"])
    func rejectsInvalid(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }
}
