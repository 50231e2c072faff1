// Tests for tools/report/run_items.hpp: `wandb-imagemask view` reassembles history and summary
// rows from a log's items, in W&B's two forms (`key` + whole value, `nested_key` + one leaf).
#include <catch2/catch.hpp>

#include <functional>
#include <stdexcept>
#include <string>

#include <wandb/wandb.hpp>

#include "../tools/report/run_items.hpp"
#include "support/run_support.hpp"
#include "support/seed_fixtures.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_view_items {

using wandb::Json;
using wandb_test::TempDir;

namespace {

/// The nested_key form of key-form items, by wandb-core's rule (runhistory.go ToRecords): one
/// item per leaf, objects descended, arrays and scalars leaves, empty objects dropped.
Json to_leaves(const Json& items) {
    Json out = Json::array();
    std::function<void(const Json&, Json)> walk = [&](const Json& v, Json path) {
        if (v.is_object()) {
            for (auto it = v.begin(); it != v.end(); ++it) {
                Json next = path;
                next.push_back(it.key());
                walk(it.value(), next);
            }
        } else {
            out.push_back({{"nested_key", path}, {"value_json", v.dump()}});
        }
    };
    for (const auto& item : items)  // NaN and Infinity (not JSON) are scalars: leaves as they are
        if (const std::string text = item["value_json"]; text == "NaN" || text == "Infinity" || text == "-Infinity")
            out.push_back({{"nested_key", {item["key"]}}, {"value_json", text}});
        else
            walk(Json::parse(text), Json::array({item["key"]}));
    return out;
}

Json key_items(const Json& row) {
    Json items = Json::array();
    for (auto it = row.begin(); it != row.end(); ++it) items.push_back({{"key", it.key()}, {"value_json", it.value().dump()}});
    return items;
}

}  // namespace

TEST_CASE("view: value_json with W&B's NaN and Infinity tokens parses, strings untouched", "[view]") {
    const Json v = wandb_tool::parse_value_json(R"({"a": NaN, "b": [Infinity, -Infinity, 1e-5], "s": "NaN \"Infinity\"", "t": true})");
    CHECK(v.dump() == R"({"a":"NaN","b":["Infinity","-Infinity",1e-05],"s":"NaN \"Infinity\"","t":true})");
    CHECK_THROWS_AS(wandb_tool::parse_value_json("{\"a\": nan}"), nlohmann::json::parse_error);
}

TEST_CASE("view: a row reads the same from key items and from nested_key leaves", "[view]") {
    const Json row = Json::parse(R"({
        "loss": 0.5, "val": {"acc": 0.9, "deep": {"x": [1, 2]}},
        "img": {"_type": "image-file", "path": "media/images/img_0_ab.png", "width": 100,
                "masks": {"predictions": {"_type": "mask", "path": "media/images/mask/p.png"}}},
        "examples": {"_type": "images/separated", "filenames": ["a.png", "b.png"], "all_masks": [null, {"m": {"path": "x"}}]},
        "_step": 3})");
    Json items = key_items(row);
    Json leaves = to_leaves(items);
    items.push_back({{"key", "val/iou"}, {"value_json", "NaN"}});  // one label, though it holds a '/'
    leaves.push_back({{"nested_key", {"val/iou"}}, {"value_json", "NaN"}});
    REQUIRE(leaves.size() == 13);
    CHECK(leaves[3].dump() == R"({"nested_key":["img","_type"],"value_json":"\"image-file\""})");
    const std::string expected =
        R"({"loss":0.5,"val":{"acc":0.9,"deep":{"x":[1,2]}},)"
        R"("img":{"_type":"image-file","path":"media/images/img_0_ab.png","width":100,)"
        R"("masks":{"predictions":{"_type":"mask","path":"media/images/mask/p.png"}}},)"
        R"("examples":{"_type":"images/separated","filenames":["a.png","b.png"],"all_masks":[null,{"m":{"path":"x"}}]},)"
        R"("_step":3,"val/iou":"NaN"})";
    CHECK(wandb_tool::assemble_row(items).dump() == expected);
    CHECK(wandb_tool::assemble_row(leaves).dump() == expected);
    // Both forms in one record (a log written across the change): "img" as leaves, the rest whole.
    Json mixed = Json::array();
    for (const auto& item : items)
        if (item["key"] != "img") mixed.push_back(item);
    for (const auto& leaf : leaves)
        if (leaf["nested_key"][0] == "img") mixed.push_back(leaf);
    CHECK(nlohmann::json::parse(wandb_tool::assemble_row(mixed).dump()) == nlohmann::json::parse(expected));
}

TEST_CASE("view: items merge leaf by leaf as wandb-core sets them; a nested key wins over key", "[view]") {
    Json summary = Json::object();
    wandb_tool::apply_items(summary, Json::parse(R"([{"key": "best", "value_json": "{\"iou\": 0.5, \"epoch\": 2}"}])"));
    wandb_tool::apply_items(summary, Json::parse(R"([{"nested_key": ["best", "iou"], "value_json": "0.7"},
                                                      {"key": "ignored", "nested_key": ["a.b"], "value_json": "1"}])"));
    CHECK(summary.dump() == R"({"best":{"iou":0.7,"epoch":2},"a.b":1})");
    wandb_tool::apply_items(summary, Json::parse(R"([{"key": "best", "value_json": "{\"loss\": 0.1}"}])"));
    CHECK(summary.dump() == R"({"best":{"iou":0.7,"epoch":2,"loss":0.1},"a.b":1})");
    wandb_tool::remove_items(summary, Json::parse(R"([{"nested_key": ["best", "epoch"]}, {"key": "missing"}])"));
    CHECK(summary.dump() == R"({"best":{"iou":0.7,"loss":0.1},"a.b":1})");
    CHECK_THROWS_MATCHES(wandb_tool::apply_items(summary, Json::parse(R"([{"value_json": "1"}])")), std::runtime_error,
                         Catch::Message("an item has neither key nor nested_key"));
}

TEST_CASE("view: the rows of a logged run reassemble from its records in either form", "[view]") {
    TempDir root;
    wandb::OfflineRun run(wandb_test::quiet_run_options(root.path()));
    run.log({{"loss", 0.25}, {"val", wandb::Row{{"iou", 0.5}}}});
    run.log({{"loss", 0.125}, {"nan", std::nan("")}});
    run.finish();
    const auto log = wandb_test::read_back(run.log_path());
    const auto histories = log.of_kind("history");
    REQUIRE(histories.size() == 2);
    const char* want[] = {R"({"loss":0.25,"val":{"iou":0.5},"_step":0})", R"({"loss":0.125,"nan":"NaN","_step":1})"};
    for (std::size_t i = 0; i < 2; ++i) {
        Json items = histories[i]["item"];
        // The library writes key items today; whichever form it writes, both must read back.
        const bool nested = items.at(0).contains("nested_key");
        Json key_form = Json::array(), leaf_form = Json::array();
        if (nested) {
            leaf_form = items;
            key_form = key_items(wandb_tool::assemble_row(items));
        } else {
            key_form = items;
            leaf_form = to_leaves(items);
        }
        for (const Json* form : {&key_form, &leaf_form}) {
            Json row = wandb_tool::assemble_row(*form);
            row.erase("_runtime");
            row.erase("_timestamp");
            CHECK(row.dump() == want[i]);
        }
    }
}

}  // namespace test_view_items
