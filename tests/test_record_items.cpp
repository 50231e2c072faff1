// Tests for record_items.hpp (reading items back) and detail/nested_items.hpp (writing one item
// per leaf, as wandb-core does).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include <wandb/detail/nested_items.hpp>
#include <wandb/record_items.hpp>

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_record_items {

using Catch::Message;
using wandb::Json;

namespace {

/// The items of `row` as decode_record gives them: [{"nested_key": [...], "value_json": "..."}].
Json decoded_items(const Json& row) {
    std::vector<wandb::detail::RecordItem> items;
    wandb::detail::append_leaf_items(row, items);
    Json out = Json::array();
    for (const auto& i : items) out.push_back(Json{{"nested_key", i.nested_key}, {"value_json", i.value_json}});
    return out;
}

}  // namespace

TEST_CASE("parse_value_json reads JSON and the SDK's NaN, Infinity and -Infinity tokens", "[record_items]") {
    const Json v = wandb::parse_value_json(R"( {"b":[1,NaN,{"c":-Infinity}],"a":Infinity,"s":"NaN \"q\" \u00e9","t":true,"n":null,"f":-0.5e1} )");
    CHECK(v.dump() == R"({"b":[1,null,{"c":null}],"a":null,"s":"NaN \"q\" é","t":true,"n":null,"f":-5.0})");  // key order kept
    CHECK(std::isnan(v["b"][1].get<double>()));
    CHECK(v["b"][2]["c"].get<double>() == -std::numeric_limits<double>::infinity());
    CHECK(v["a"].get<double>() == std::numeric_limits<double>::infinity());
    CHECK(v["b"][0].is_number_integer());
    CHECK(wandb::detail::json_text(v) ==
          R"({"b":[1,NaN,{"c":-Infinity}],"a":Infinity,"s":"NaN \"q\" é","t":true,"n":null,"f":-5.0})");
    CHECK(wandb::parse_value_json(R"({"k":1,"k":2})").dump() == R"({"k":2})");  // the last wins, as in Python
    CHECK(wandb::parse_value_json("[]").dump() == "[]");
    CHECK(wandb::parse_value_json("{ }").dump() == "{}");
}

TEST_CASE("parse_value_json names the byte where the text stops being JSON", "[record_items][errors]") {
    const auto refused = [](const std::string& text, const std::string& message) {
        INFO(text);
        CHECK_THROWS_MATCHES(wandb::parse_value_json(text), wandb::FormatError,
                             Message("wandb::parse_value_json: " + message));
    };
    refused(R"({"a":1)", "expected ',' or '}' at byte 6 of 6");
    refused("[1,]", "unexpected character ']' at byte 3 of 4");
    refused("nan", "unexpected character 'n' at byte 0 of 3");
    refused("1 2", "unexpected text after the value at byte 2 of 3");
    refused(R"("abc)", "unterminated string at byte 0 of 4");
    refused("01", "invalid JSON token \"01\" at byte 0 of 2");
    refused("1e400", "invalid JSON token \"1e400\" at byte 0 of 5");
    refused("", "unexpected end of the text at byte 0 of 0");
    refused(R"({1:2})", "expected a string key at byte 1 of 5");
    refused(std::string(600, '['), "values nested deeper than 512 levels at byte 513 of 600");
}

TEST_CASE("append_leaf_items writes one nested_key item per leaf; empty objects leave none", "[record_items]") {
    const Json row = Json::parse(
        R"({"loss":0.5,"val/examples":{"_type":"image-file","masks":{"p":{"path":"m.png"}}},"a.b":[{"x":{}}],)"
        R"("empty":{},"half":{"gone":{},"kept":null}})");
    CHECK(decoded_items(row).dump() ==
          R"([{"nested_key":["loss"],"value_json":"0.5"},)"
          R"({"nested_key":["val/examples","_type"],"value_json":"\"image-file\""},)"
          R"({"nested_key":["val/examples","masks","p","path"],"value_json":"\"m.png\""},)"
          R"({"nested_key":["a.b"],"value_json":"[{\"x\":{}}]"},)"
          R"({"nested_key":["half","kept"],"value_json":"null"}])");
    std::vector<wandb::detail::RecordItem> none;
    wandb::detail::append_leaf_items(Json::object(), none);
    CHECK(none.empty());
}

TEST_CASE("items_to_object reassembles nested_key leaves and whole key values", "[record_items]") {
    const Json items = Json::parse(
        R"([{"nested_key":["val","iou"],"value_json":"0.5"},{"key":"loss","value_json":"NaN"},)"
        R"({"nested_key":["val","masks","p"],"value_json":"{\"path\":\"m.png\"}"},{"key":"cfg","value_json":"{\"a\":[1,2]}"},)"
        R"({"nested_key":["_wandb","runtime"],"value_json":"3"}])");
    const Json row = wandb::items_to_object(items);
    CHECK(wandb::detail::json_text(row) ==
          R"({"val":{"iou":0.5,"masks":{"p":{"path":"m.png"}}},"loss":NaN,"cfg":{"a":[1,2]},"_wandb":{"runtime":3}})");
    // A later item replaces what an earlier one put at its path; a leaf in the way becomes an object.
    CHECK(wandb::items_to_object(Json::parse(R"([{"key":"a","value_json":"1"},{"nested_key":["a","b"],"value_json":"2"},)"
                                             R"({"nested_key":["c"],"value_json":"{\"x\":1}"},{"key":"c","value_json":"5"}])"))
              .dump() == R"({"a":{"b":2},"c":5})");
    // What append_leaf_items wrote reads back as the row, without its empty objects.
    const Json nested = Json::parse(R"({"a":{"b":{"c":1,"d":[{}]},"e":{}},"f":"g"})");
    CHECK(wandb::items_to_object(decoded_items(nested)).dump() == R"({"a":{"b":{"c":1,"d":[{}]}},"f":"g"})");
    CHECK(wandb::items_to_object(Json::array()).dump() == "{}");
}

TEST_CASE("items_to_object refuses items that name no key or hold no JSON", "[record_items][errors]") {
    CHECK_THROWS_MATCHES(wandb::items_to_object(Json::parse(R"([{"key":"a","value_json":"1"},{"value_json":"2"}])")),
                         wandb::FormatError, Message("wandb::items_to_object: item 1 has neither key nor nested_key"));
    CHECK_THROWS_MATCHES(wandb::items_to_object(Json::parse(R"([{"nested_key":[],"value_json":"2"}])")),
                         wandb::FormatError, Message("wandb::items_to_object: item 0 has neither key nor nested_key"));
    CHECK_THROWS_MATCHES(wandb::items_to_object(Json::parse(R"([{"key":"a"}])")), wandb::FormatError,
                         Message("wandb::items_to_object: item 0: wandb::parse_value_json: unexpected end of the text at "
                                 "byte 0 of 0"));
    CHECK_THROWS_MATCHES(wandb::items_to_object(Json::parse(R"([{"nested_key":["a",1],"value_json":"2"}])")),
                         wandb::FormatError,
                         Message("wandb::items_to_object: item 0 has a nested_key label that is not a string"));
    CHECK_THROWS_MATCHES(wandb::items_to_object(Json::object()), wandb::FormatError,
                         Message("wandb::items_to_object: the items are not an array but object"));
}

TEST_CASE("merge_leaves adds a row's leaves to a summary as wandb-core's run summary does", "[record_items]") {
    Json summary = Json::parse(R"({"val":{"iou":0.5},"loss":1,"x":3})");
    wandb::detail::merge_leaves(summary, Json::parse(R"({"val":{"dice":0.25},"loss":0.5,"x":{"y":1},"e":{},"f":{"g":{}}})"));
    CHECK(summary.dump() == R"({"val":{"iou":0.5,"dice":0.25},"loss":0.5,"x":{"y":1}})");
}

TEST_CASE("json_text writes numbers, bools, null and strings as dump() does", "[record_items]") {
    // json_text formats these itself (nlohmann's to_chars for doubles, std::to_chars for
    // integers, plain ASCII strings between quotes); every text must stay dump()'s.
    std::uint64_t state = 0x9E3779B97F4A7C15u;
    const auto next = [&] {  // splitmix64
        std::uint64_t z = (state += 0x9E3779B97F4A7C15u);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
        return z ^ (z >> 31);
    };
    int checked = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t bits = next();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (i % 2) v = static_cast<double>(bits >> 11) / static_cast<double>(1 + (bits & 0xFFFFF));  // metric-like values
        if (!std::isfinite(v)) continue;
        const Json j = v;
        if (wandb::detail::json_text(j) != j.dump()) {
            INFO(j.dump());
            CHECK(wandb::detail::json_text(j) == j.dump());
        }
        ++checked;
        const Json k = static_cast<std::int64_t>(bits);
        const Json u = bits;
        if (wandb::detail::json_text(k) != k.dump() || wandb::detail::json_text(u) != u.dump()) {
            CHECK(wandb::detail::json_text(k) == k.dump());
            CHECK(wandb::detail::json_text(u) == u.dump());
        }
    }
    CHECK(checked > 100000);
    for (const double v : {0.0, -0.0, 1.0, -1.0, 0.1, 1e16, 1e17, 1e-5, 1e-7, 123456789012345680.0, 5e-324,
                           std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()}) {
        INFO(v);
        CHECK(wandb::detail::json_text(Json(v)) == Json(v).dump());
    }
    for (const Json& j : {Json(true), Json(false), Json(nullptr), Json(std::numeric_limits<std::int64_t>::min()),
                          Json(std::numeric_limits<std::uint64_t>::max()), Json(""), Json("plain ascii ~!"),
                          Json("q\"uote"), Json("back\\slash"), Json("tab\t"), Json("\x7f"), Json("\x1f"),
                          Json("caf\xc3\xa9"), Json::object({{"k\"ey", 1}, {"\xc3\xa9", {{"x", "y"}}}})})
        CHECK(wandb::detail::json_text(j) == j.dump());
}

}  // namespace test_record_items
