// Tests for table.hpp and detail/table_artifact.hpp: column types as the SDK's _dtypes infer and
// merge them, rejected rows, and a table staged for an offline run (artifact members read back,
// hashed and decoded; manifest and digest recomputed; run-side file and history value).
// Expected texts come from the spec (wandb-tables-artifacts.md) or were printed by Python at
// test-writing time, as each comment says; none comes from our own serializer.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>

#include <wandb/detail/python_set.hpp>
#include <wandb/internal/table_artifact.hpp>
#include <wandb/wandb.hpp>

#include "support/seed_fixtures.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_table {

using Catch::Message;
using wandb_test::seed_labels;
using wandb_test::quadrants;
using wandb_test::gradient;
using wandb_test::TempDir;
namespace fs = std::filesystem;

namespace {

/// Distinct [a-z0-9] ids of the requested length: a base-36 counter padded with 'a'.
std::function<std::string(std::size_t)> counter_ids() {
    auto n = std::make_shared<std::uint64_t>(0);
    return [n](std::size_t length) {
        std::string s(length, 'a');
        std::uint64_t v = ++*n;
        for (std::size_t i = 0; i < length && v; ++i, v /= 36) s[length - 1 - i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
        return s;
    };
}

wandb::detail::TableRunContext context_for(const TempDir& dir, std::string key, std::int64_t step = 0) {
    wandb::detail::TableRunContext c;
    c.run_dir = dir.path();
    c.files_dir = dir.path() / "files";
    c.run_id = "abc123";
    c.project = "proj";
    c.entity = "team";
    c.key = std::move(key);
    c.step = step;
    c.random_id = counter_ids();
    return c;
}

std::string text_of(const fs::path& p) {
    const auto bytes = wandb_test::read_bytes(p);
    return std::string(bytes.begin(), bytes.end());
}

std::string md5_hex(const std::vector<std::uint8_t>& b) { return wandb::detail::Md5::of(b.data(), b.size()).hex(); }
std::string md5_b64(const std::vector<std::uint8_t>& b) { return wandb::detail::Md5::of(b.data(), b.size()).base64(); }
std::string sha256_hex(const std::vector<std::uint8_t>& b) { return wandb::detail::Sha256::of(b.data(), b.size()).hex(); }
std::string sha256_hex(const std::string& s) { return wandb::detail::Sha256::of(s.data(), s.size()).hex(); }

const wandb::detail::ArtifactManifestEntry& entry(const wandb::detail::LoggedTable& logged, const std::string& path) {
    for (const auto& e : logged.artifact.manifest->contents)
        if (e.path == path) return e;
    FAIL("no manifest entry " << path);
    throw std::logic_error("unreachable");
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

wandb::Image seed_image() {
    return wandb::Image(gradient(100, 100))
        .with_mask("predictions", wandb::ImageMask(quadrants(50), seed_labels))
        .with_mask("ground_truth", wandb::ImageMask(quadrants(25), seed_labels))
        .with_classes(wandb::Classes{{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}});
}

}  // namespace

TEST_CASE("The seed example's table stages the spec's run_table artifact", "[table][artifact]") {
    TempDir dir;
    const auto masked_image = seed_image();
    wandb::Table table({"image"});
    table.add_data({masked_image});
    const wandb::detail::LoggedTable logged = wandb::detail::stage_table_for_run(table, context_for(dir, "random_field"));

    // The classes file: exact bytes, name and digest from the spec (section 1.2).
    const std::string classes_path = "media/classes/59767aa87cb78a13bc44b0baac9a4749_cls.classes.json";
    const auto& classes = entry(logged, classes_path);
    CHECK(classes.digest == "nAtirc7yVVckCg0dfw7yvg==");
    CHECK(classes.size == 144);
    CHECK(text_of(classes.local_path) ==
          R"({"_type": "classes", "class_set": [{"id": 0, "name": "person"}, {"id": 1, "name": "tree"}, {"id": 2, "name": "car"}, {"id": 3, "name": "road"}]})");

    // Every member: staged at an absolute local_path inside the run directory, read-only, with
    // the MD5 and size of the file there.
    const auto& contents = logged.artifact.manifest->contents;
    REQUIRE(contents.size() == 5);
    std::vector<std::string> paths;
    for (const auto& e : contents) {
        paths.push_back(e.path);
        const fs::path local(e.local_path);
        CHECK(local.is_absolute());
        CHECK(local.parent_path() == fs::absolute(dir / "artifacts" / "staging"));
        REQUIRE(fs::is_regular_file(local));
        const auto bytes = wandb_test::read_bytes(local);
        CHECK(e.digest == md5_b64(bytes));
        CHECK(e.size == static_cast<std::int64_t>(bytes.size()));
        CHECK((fs::status(local).permissions() & fs::perms::all) == fs::perms::owner_read);
        CHECK(e.ref.empty());
        CHECK_FALSE(e.skip_cache);
    }
    CHECK(std::is_sorted(paths.begin(), paths.end()));
    CHECK(wandb_test::list_files(dir / "artifacts" / "staging").size() == 5);

    // Image and masks: named by the MD5 of their bytes (the SDK's is_tmp rename), decoding to the
    // pixels and class ids given.
    std::string image_path, pred_path, gt_path;
    for (const std::string& p : paths) {
        if (p.rfind("media/images/mask/", 0) == 0) {
            const auto bytes = wandb_test::read_bytes(entry(logged, p).local_path);
            CHECK(p == "media/images/mask/" + md5_hex(bytes).substr(0, 20) + ".mask.png");
            const auto decoded = wandb_test::decode(bytes);
            REQUIRE(decoded.channels == 1);
            const auto pred = quadrants(50), gt = quadrants(25);
            if (decoded.pixels == std::vector<std::uint8_t>(pred.begin(), pred.end())) {
                pred_path = p;
            } else if (decoded.pixels == std::vector<std::uint8_t>(gt.begin(), gt.end())) {
                gt_path = p;
            }
        } else if (p.rfind("media/images/", 0) == 0) {
            const auto bytes = wandb_test::read_bytes(entry(logged, p).local_path);
            CHECK(p == "media/images/" + md5_hex(bytes).substr(0, 20) + ".png");
            const auto px = gradient(100, 100);
            CHECK(wandb_test::decode(bytes).pixels == std::vector<std::uint8_t>(px.begin(), px.end()));
            image_path = p;
        }
    }
    REQUIRE_FALSE(image_path.empty());
    REQUIRE_FALSE(pred_path.empty());
    REQUIRE_FALSE(gt_path.empty());

    // random_field.table.json: the spec's example (section 1.3) byte for byte, with its PIL
    // digests replaced by those of our own PNGs.
    std::string expected =
        R"JSON({"_type": "table", "column_types": {"params": {"type_map": {"image": {"params": {"allowed_types": [{"params": {"box_class_maps": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "box_layers": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "box_score_keys": {"params": {"is_set": true, "val": []}, "wb_type": "const"}, "class_map": {"params": {"is_set": false, "val": {"0": "person", "1": "tree", "2": "car", "3": "road"}}, "wb_type": "const"}, "mask_class_maps": {"params": {"is_set": false, "val": {"ground_truth": {"0": "person", "1": "tree", "2": "car", "3": "road"}, "predictions": {"0": "person", "1": "tree", "2": "car", "3": "road"}}}, "wb_type": "const"}, "mask_layers": {"params": {"is_set": false, "val": {"ground_truth": [0, 1, 2, 3], "predictions": [0, 1, 2, 3]}}, "wb_type": "const"}}, "wb_type": "image-file"}, {"wb_type": "none"}]}, "wb_type": "union"}}}, "wb_type": "typedDict"}, "columns": ["image"], "data": [[{"_type": "image-file", "classes": {"digest": "nAtirc7yVVckCg0dfw7yvg==", "path": "media/classes/59767aa87cb78a13bc44b0baac9a4749_cls.classes.json", "type": "classes-file"}, "format": "png", "height": 100, "masks": {"ground_truth": {"_type": "mask", "path": "media/images/mask/e1bee9c000d3c6670eb6.mask.png", "sha256": "27bfbee2b6887c5d5f5735c8f025b79d5dcd66860076011890ddc337cf9edab5"}, "predictions": {"_type": "mask", "path": "media/images/mask/d1cbdf92bd0d82120862.mask.png", "sha256": "a9c5c43b916e0009c5bceebb4a6a3159a3da385f69388b3464cc7bf1c89051ed"}}, "path": "media/images/c8b706b27d155822a334.png", "sha256": "91320cf49589337e6061fa067f3dc25f553bb9e77acc76af1a32b1d0c5b05ac2", "width": 100}]], "log_mode": "IMMUTABLE", "ncols": 1, "nrows": 1})JSON";
    replace_all(expected, "media/images/mask/e1bee9c000d3c6670eb6.mask.png", gt_path);
    replace_all(expected, "27bfbee2b6887c5d5f5735c8f025b79d5dcd66860076011890ddc337cf9edab5",
                sha256_hex(wandb_test::read_bytes(entry(logged, gt_path).local_path)));
    replace_all(expected, "media/images/mask/d1cbdf92bd0d82120862.mask.png", pred_path);
    replace_all(expected, "a9c5c43b916e0009c5bceebb4a6a3159a3da385f69388b3464cc7bf1c89051ed",
                sha256_hex(wandb_test::read_bytes(entry(logged, pred_path).local_path)));
    replace_all(expected, "media/images/c8b706b27d155822a334.png", image_path);
    replace_all(expected, "91320cf49589337e6061fa067f3dc25f553bb9e77acc76af1a32b1d0c5b05ac2",
                sha256_hex(wandb_test::read_bytes(entry(logged, image_path).local_path)));
    CHECK(text_of(entry(logged, "random_field.table.json").local_path) == expected);
    CHECK(paths == std::vector<std::string>{classes_path, image_path, std::min(pred_path, gt_path),
                                            std::max(pred_path, gt_path), "random_field.table.json"});

    // The ArtifactRecord, with the digest recomputed here from the spec's rule.
    const auto& a = logged.artifact;
    CHECK(a.run_id == "abc123");
    CHECK(a.project == "proj");
    CHECK(a.entity == "team");
    CHECK(a.type == "run_table");
    CHECK(a.name == "run-abc123-random_field");
    CHECK(a.aliases == std::vector<std::string>{"latest"});
    CHECK(a.finalize);
    CHECK_FALSE(a.user_created);
    CHECK_FALSE(a.use_after_commit);
    CHECK(a.metadata.empty());
    CHECK(a.description.empty());
    for (const std::string* id : {&a.client_id, &a.sequence_client_id}) {
        CHECK(id->size() == 128);
        CHECK(id->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
    }
    CHECK(a.client_id != a.sequence_client_id);
    CHECK(a.manifest->version == 1);
    CHECK(a.manifest->storage_policy == "wandb-storage-policy-v1");
    REQUIRE(a.manifest->storage_policy_config.size() == 1);
    CHECK(a.manifest->storage_policy_config[0].key == "storageLayout");
    CHECK(a.manifest->storage_policy_config[0].value_json == "\"V2\"");
    std::string manifest_text = "wandb-artifact-manifest-v1\n";
    for (const auto& e : contents) manifest_text += e.path + ":" + md5_b64(wandb_test::read_bytes(e.local_path)) + "\n";
    CHECK(a.digest == wandb::detail::Md5::of(manifest_text.data(), manifest_text.size()).hex());
    CHECK_NOTHROW(wandb::detail::encode_record(7, a));

    // The run-side file: compact columns and data, the image as its class name (40 bytes, as the
    // spec's history example says).
    const std::string run_text = R"({"columns":["image"],"data":[["Image"]]})";
    const std::string sha = sha256_hex(run_text);
    CHECK(logged.run_file == "media/table/random_field_0_" + sha.substr(0, 20) + ".table.json");
    CHECK(text_of(dir / "files" / logged.run_file) == run_text);
    CHECK(wandb_test::list_files(dir / "files") == std::vector<std::string>{logged.run_file});

    // The history value, in the SDK's key order.
    wandb::Json h = wandb::Json::object();
    h["_type"] = "table-file";
    h["sha256"] = sha;
    h["size"] = 40;
    h["artifact_path"] = "wandb-client-artifact://" + a.client_id + "/random_field.table.json";
    h["_latest_artifact_path"] = "wandb-client-artifact://" + a.sequence_client_id + ":latest/random_field.table.json";
    h["path"] = logged.run_file;
    h["ncols"] = 1;
    h["nrows"] = 1;
    h["log_mode"] = "IMMUTABLE";
    CHECK(logged.history_value.dump() == h.dump());
}

TEST_CASE("Image column types merge mask layers, score keys and names as the SDK's assign_type", "[table][types]") {
    auto mask = [](std::uint8_t v) { return xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{4, 4}, v); };
    const auto first = wandb::Image(gradient(4, 4))
                           .with_boxes("det", wandb::BoundingBoxes2D({{wandb::BoxCorners{0.1, 0.2, 0.3, 0.4}, 1, "cat", {{"acc", 0.9}}}},
                                                                     wandb::ClassLabels{{1, "cat"}, {9, "dog"}}))
                           .with_mask("pred", wandb::ImageMask(mask(1), wandb::ClassLabels{{1, "cat"}, {8, "car"}}));
    const auto second = wandb::Image(gradient(4, 4, 1))
                            .with_boxes("det", wandb::BoundingBoxes2D({{wandb::BoxCorners{0.5, 0.6, 0.5, 0.6}, 9, "", {{"loss", 0.1}}}},
                                                                      wandb::ClassLabels{{9, "hound"}}))
                            .with_mask("pred", wandb::ImageMask(mask(2), wandb::ClassLabels{{2, "tree"}, {8, "bus"}}))
                            .with_mask("gt", wandb::ImageMask(mask(0), wandb::ClassLabels{{0, "background"}, {2, "road"}}))
                            .with_classes(wandb::Classes{{8, "lorry"}});
    wandb::Table table({"image"});
    table.add_data({first});
    // The first row alone. Expected value written by hand from from_obj's rules, serialized with
    // /usr/bin/python3 `json.dumps(..., sort_keys=True)`; the id lists are CPython set orders:
    // list(set(set([1, 9]))) == [1, 9], list(set(set([1, 8]))) == [8, 1].
    CHECK(wandb::detail::dump_python_json(table.column_types()["params"]["type_map"]["image"]["params"]["allowed_types"][0]) ==
          R"JSON({"params": {"box_class_maps": {"params": {"is_set": false, "val": {"det": {"1": "cat", "9": "dog"}}}, "wb_type": "const"}, "box_layers": {"params": {"is_set": false, "val": {"det": [1, 9]}}, "wb_type": "const"}, "box_score_keys": {"params": {"is_set": true, "val": ["acc"]}, "wb_type": "const"}, "class_map": {"params": {"is_set": false, "val": {"1": "cat", "8": "car", "9": "dog"}}, "wb_type": "const"}, "mask_class_maps": {"params": {"is_set": false, "val": {"pred": {"1": "cat", "8": "car"}}}, "wb_type": "const"}, "mask_layers": {"params": {"is_set": false, "val": {"pred": [8, 1]}}, "wb_type": "const"}}, "wb_type": "image-file"})JSON");

    table.add_data({second});
    // Merged by hand: layers and score keys are unions; every name map keeps the first row's name
    // on a collision (det 9 stays "dog", pred 8 stays "car", class 8 stays "car"); "gt" comes from
    // the second row only. pred's ids are set(list([8, 1]) + list([8, 2])) -> [8, 1, 2] in CPython.
    // Serialized with /usr/bin/python3 json.dumps(sort_keys=True).
    CHECK(wandb::detail::dump_python_json(table.column_types()) ==
          R"JSON({"params": {"type_map": {"image": {"params": {"allowed_types": [{"params": {"box_class_maps": {"params": {"is_set": false, "val": {"det": {"1": "cat", "9": "dog"}}}, "wb_type": "const"}, "box_layers": {"params": {"is_set": false, "val": {"det": [1, 9]}}, "wb_type": "const"}, "box_score_keys": {"params": {"is_set": true, "val": ["acc", "loss"]}, "wb_type": "const"}, "class_map": {"params": {"is_set": false, "val": {"0": "background", "1": "cat", "2": "road", "8": "car", "9": "dog"}}, "wb_type": "const"}, "mask_class_maps": {"params": {"is_set": false, "val": {"gt": {"0": "background", "2": "road"}, "pred": {"1": "cat", "2": "tree", "8": "car"}}}, "wb_type": "const"}, "mask_layers": {"params": {"is_set": false, "val": {"gt": [0, 2], "pred": [8, 1, 2]}}, "wb_type": "const"}}, "wb_type": "image-file"}, {"wb_type": "none"}]}, "wb_type": "union"}}}, "wb_type": "typedDict"})JSON");
    CHECK(table.nrows() == 2);
}

TEST_CASE("Scalar, JSON and image columns take the SDK's types and its Python JSON text", "[table][types][artifact]") {
    TempDir dir;
    wandb::Table table({"id", "label", "score", "image", "extra"});
    const auto image = wandb::Image(gradient(2, 2));
    table.add_data({1, "chat é", 0.5, image, nullptr});
    table.add_data({2, "dog\n\"q\"", 1e-05, wandb::Image(gradient(2, 2, 3)), wandb::Json{{"k", {1, 2.5}}}});
    table.add_data({3, "😀", 1e16, nullptr, wandb::Json{{"k", {3, 100.0}}}});
    // Worked out by hand from _dtypes (a union is sorted by repr, so "None" precedes "Number",
    // "String" and "{...}", and "Image-file(...)" precedes "None"; the list keeps the last row's
    // length), serialized with /usr/bin/python3 json.dumps(sort_keys=True).
    CHECK(wandb::detail::dump_python_json(table.column_types()) ==
          R"JSON({"params": {"type_map": {"extra": {"params": {"allowed_types": [{"wb_type": "none"}, {"params": {"type_map": {"k": {"params": {"element_type": {"wb_type": "number"}, "length": 2}, "wb_type": "list"}}}, "wb_type": "typedDict"}]}, "wb_type": "union"}, "id": {"params": {"allowed_types": [{"wb_type": "none"}, {"wb_type": "number"}]}, "wb_type": "union"}, "image": {"params": {"allowed_types": [{"params": {"box_class_maps": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "box_layers": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "box_score_keys": {"params": {"is_set": true, "val": []}, "wb_type": "const"}, "class_map": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "mask_class_maps": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}, "mask_layers": {"params": {"is_set": false, "val": {}}, "wb_type": "const"}}, "wb_type": "image-file"}, {"wb_type": "none"}]}, "wb_type": "union"}, "label": {"params": {"allowed_types": [{"wb_type": "none"}, {"wb_type": "string"}]}, "wb_type": "union"}, "score": {"params": {"allowed_types": [{"wb_type": "none"}, {"wb_type": "number"}]}, "wb_type": "union"}}}, "wb_type": "typedDict"})JSON");

    const auto logged = wandb::detail::stage_table_for_run(table, context_for(dir, "val/preds", 3));
    // The run-side file, as pydantic_core 2.46.4's to_json prints this table (pyenv python3).
    CHECK(text_of(dir / "files" / logged.run_file) ==
          R"JSON({"columns":["id","label","score","image","extra"],"data":[[1,"chat é",0.5,"Image",null],[2,"dog\n\"q\"",0.00001,"Image",{"k":[1,2.5]}],[3,"😀",1e+16,null,{"k":[3,100.0]}]]})JSON");
    CHECK(logged.run_file.rfind("media/table/val/preds_3_", 0) == 0);
    // A '/' in the key: the member keeps it, the artifact name drops it and gets the CRC suffix
    // (/usr/bin/python3: re.sub + zlib.crc32 + base64.urlsafe_b64encode, as sanitize_artifact_name).
    CHECK(logged.artifact.name == "run-abc123-valpreds-sewuYA");
    CHECK(logged.history_value["artifact_path"] ==
          "wandb-client-artifact://" + logged.artifact.client_id + "/val/preds.table.json");
    // The artifact's table file: Python's json.dumps text of the non-image cells (printed with
    // /usr/bin/python3 json.dumps), two distinct image files.
    const std::string text = text_of(entry(logged, "val/preds.table.json").local_path);
    CHECK(text.find(R"([[1, "chat \u00e9", 0.5, {)") != std::string::npos);
    CHECK(text.find(R"(}, null], [2, "dog\n\"q\"", 1e-05, {)") != std::string::npos);
    CHECK(text.find(R"(}, {"k": [1, 2.5]}], [3, "\ud83d\ude00", 1e+16, null, {"k": [3, 100.0]}]])") != std::string::npos);
    CHECK(text.find(R"("nrows": 3)") != std::string::npos);
    CHECK(logged.artifact.manifest->contents.size() == 3);  // two PNGs and the table; no classes
}

TEST_CASE("Rows that contradict a column's type are rejected, naming row, column and types", "[table][errors]") {
    wandb::Table table({"id", "image", "flag", "meta", "tags"});
    const auto image = wandb::Image(gradient(2, 2));
    table.add_data({1, image, true, wandb::Json{{"a", 1}, {"b", "x"}}, wandb::Json::array({"red", "blue"})});
    table.add_data({nullptr, nullptr, nullptr, nullptr, nullptr});                      // null always fits
    table.add_data({std::nan(""), image, false, wandb::Json{{"a", 2}, {"b", "y"}}, wandb::Json::array()});  // NaN is null
    const std::string types = table.column_types().dump();
    const std::string who = "wandb::Table: row 3";

    CHECK_THROWS_MATCHES(table.add_data({1, image, true}), wandb::ValidationError,
                         Message(who + " has 3 cells but the table has 5 columns"));
    CHECK_THROWS_MATCHES(table.add_data({}), wandb::ValidationError, Message(who + " has 0 cells but the table has 5 columns"));
    CHECK_THROWS_MATCHES(table.add_data({"7", image, true, nullptr, nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "id": a string cell, but the column holds number values)"));
    CHECK_THROWS_MATCHES(table.add_data({1, "cat.png", true, nullptr, nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "image": a string cell, but the column holds image-file values)"));
    CHECK_THROWS_MATCHES(table.add_data({image, nullptr, nullptr, nullptr, nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "id": an image cell, but the column holds number values)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, 1, nullptr, nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "flag": a number cell, but the column holds boolean values)"));
    CHECK_THROWS_MATCHES(table.add_data({true, nullptr, nullptr, nullptr, nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "id": a boolean cell, but the column holds number values)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, wandb::Json{{"a", "one"}, {"b", "x"}}, nullptr}),
                         wandb::ValidationError,
                         Message(who + R"(, column "meta": a JSON object cell that does not fit the column: ["a"] is a string, but the column holds number values there)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, wandb::Json{{"a", 1}}, nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "meta": a JSON object cell that does not fit the column: ["b"] is missing, but the column holds string values there)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, wandb::Json{{"a", 1}, {"b", "x"}, {"c", 0}}, nullptr}),
                         wandb::ValidationError,
                         Message(who + R"(, column "meta": a JSON object cell that does not fit the column: it has key "c", which the column's JSON objects do not have)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, wandb::Json::array({1}), nullptr}), wandb::ValidationError,
                         Message(who + R"(, column "meta": a JSON array cell, but the column holds JSON object values)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, nullptr, wandb::Json::array({"ok", 3})}), wandb::ValidationError,
                         Message(who + R"(, column "tags": a JSON array cell that does not fit the column: [1] is a number, but the column holds string values there)"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, nullptr, std::string("bad\xFF")}), wandb::ValidationError,
                         Message(who + R"(, column "tags": a string is not valid UTF-8 (byte 0xff at offset 3))"));
    CHECK_THROWS_MATCHES(table.add_data({1, nullptr, nullptr, wandb::Json{{"a", 1}, {"b", "\xC3"}}, nullptr}),
                         wandb::ValidationError,
                         Message(who + R"(, column "meta": a string at ["b"] is not valid UTF-8 (byte 0xc3 at offset 0))"));
    // Nothing changed.
    CHECK(table.nrows() == 3);
    CHECK(table.column_types().dump() == types);

    // As in Python, a str in a list-of-strings column is taken as its characters.
    CHECK_NOTHROW(table.add_data({4, nullptr, nullptr, nullptr, "abc"}));
}

TEST_CASE("Column names must be distinct, non-empty UTF-8", "[table][errors]") {
    CHECK_THROWS_MATCHES(wandb::Table({"a", "b", "a"}), wandb::ValidationError,
                         Message(R"(wandb::Table: duplicate column name "a" (columns 0 and 2))"));
    CHECK_THROWS_MATCHES(wandb::Table({"a", ""}), wandb::ValidationError, Message("wandb::Table: column 1 name is empty"));
    CHECK_THROWS_MATCHES(wandb::Table({"\xFF"}), wandb::ValidationError,
                         Message("wandb::Table: column 0 name is not valid UTF-8 (byte 0xff at offset 0)"));
    const wandb::Table empty({});
    CHECK(empty.ncols() == 0);
    // A new column is union[none, unknown], sorted by repr (the spec's empty-table example).
    CHECK(wandb::Table({"image"}).column_types().dump() ==
          R"({"wb_type":"typedDict","params":{"type_map":{"image":{"wb_type":"union","params":{"allowed_types":[{"wb_type":"none"},{"wb_type":"unknown"}]}}}}})");
}

TEST_CASE("A list mixing types is taken once, as the SDK takes it, and closes the column", "[table][types]") {
    wandb::Table table({"v"});
    table.add_data({wandb::Json::array({1, "a"})});
    CHECK(wandb::detail::dump_python_json(table.column_types()["params"]["type_map"]["v"]) ==
          R"({"params": {"allowed_types": [{"params": {"element_type": {"wb_type": "invalid"}, "length": 2}, "wb_type": "list"}, {"wb_type": "none"}]}, "wb_type": "union"})");
    CHECK_THROWS_MATCHES(table.add_data({wandb::Json::array({1})}), wandb::ValidationError,
                         Message(R"(wandb::Table: row 1, column "v": a JSON array cell that does not fit the column: it is a JSON array, but the column's arrays mixed element types in an earlier row)"));
    // A list holding nulls starts from union[none, unknown]: [None, 1] -> "None or Number[]".
    wandb::Table optional({"v"});
    optional.add_data({wandb::Json::array({nullptr, 1})});
    CHECK(wandb::detail::dump_python_json(optional.column_types()["params"]["type_map"]["v"]) ==
          R"({"params": {"allowed_types": [{"wb_type": "none"}, {"params": {"element_type": {"params": {"allowed_types": [{"wb_type": "none"}, {"wb_type": "number"}]}, "wb_type": "union"}, "length": 2}, "wb_type": "list"}]}, "wb_type": "union"})");
}

TEST_CASE("1,000 rows of images stage each distinct file once", "[table][artifact][dedupe]") {
    TempDir dir;
    std::vector<wandb::Image> distinct;
    for (std::uint8_t i = 0; i < 10; ++i)
        distinct.push_back(wandb::Image(gradient(8, 8, i))
                               .with_mask("m", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{8, 8}, i))));
    wandb::Table table({"n", "image"});
    for (int r = 0; r < 1000; ++r) table.add_data({r, distinct[std::size_t(r) % 10]});
    // Five more rows: new Image objects with the pixels and mask of image 0 (other buffers, same bytes).
    for (int r = 0; r < 5; ++r)
        table.add_data({1000 + r, wandb::Image(gradient(8, 8, 0))
                                      .with_mask("m", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{8, 8}, 0)))});
    const auto logged = wandb::detail::stage_table_for_run(table, context_for(dir, "many"));
    CHECK(logged.files_encoded == 10 * 2 + 5 * 2);      // once per shared buffer
    CHECK(logged.files_staged == 10 * 2 + 10 + 1);       // images, masks, 10 class sets, the table
    CHECK(logged.artifact.manifest->contents.size() == logged.files_staged);
    CHECK(wandb_test::list_files(dir / "artifacts" / "staging").size() == logged.files_staged);
    const auto parsed = wandb::Json::parse(text_of(entry(logged, "many.table.json").local_path));
    CHECK(parsed["nrows"] == 1005);
    std::set<std::string> image_paths;
    for (const auto& row : parsed["data"]) image_paths.insert(row[1]["path"].get<std::string>());
    CHECK(image_paths.size() == 10);
    CHECK(parsed["data"][1000][1]["path"] == parsed["data"][0][1]["path"]);
    CHECK(parsed["data"][1004][1]["masks"]["m"]["path"] == parsed["data"][0][1]["masks"]["m"]["path"]);
    CHECK(logged.history_value["nrows"] == 1005);
}

TEST_CASE("Images and masks from files keep their names below their SHA-256", "[table][artifact][file]") {
    TempDir in, dir;
    const auto photo = wandb_test::make_png(2, 2, 8, 2, std::vector<std::uint8_t>(12, 100));
    const auto labels = wandb_test::make_gray_png(2, 2, {0, 1, 2, 3});
    wandb_test::write_bytes(in / "photo.png", photo);
    wandb_test::write_bytes(in / "labels.png", labels);
    wandb::Table table({"image"});
    table.add_data({wandb::Image(in / "photo.png").with_mask("gt", wandb::ImageMask(in / "labels.png"))});
    const auto logged = wandb::detail::stage_table_for_run(table, context_for(dir, "files"));
    const auto parsed = wandb::Json::parse(text_of(entry(logged, "files.table.json").local_path));
    const auto& cell = parsed["data"][0][0];
    CHECK(cell["path"] == "media/images/" + sha256_hex(photo).substr(0, 20) + "/photo.png");
    CHECK(cell["masks"]["gt"]["path"] == "media/images/mask/" + sha256_hex(labels).substr(0, 20) + "/labels.png");
    CHECK(wandb_test::read_bytes(entry(logged, cell["path"]).local_path) == photo);
    CHECK(wandb_test::read_bytes(entry(logged, cell["masks"]["gt"]["path"]).local_path) == labels);
}

TEST_CASE("A staging failure throws IoError naming the path and leaves no file behind", "[table][artifact][errors]") {
    wandb::Table table({"image"});
    table.add_data({seed_image()});
    {
        TempDir dir;
        wandb_test::write_text(dir / "artifacts", "a file where the staging directory should be");
        CHECK_THROWS_MATCHES(wandb::detail::stage_table_for_run(table, context_for(dir, "random_field")), wandb::IoError,
                             Message("wandb::Table: cannot create directory " + dir.path().string() +
                                     "/artifacts/staging: Not a directory"));
        CHECK(wandb_test::list_files(dir.path()) == std::vector<std::string>{"artifacts"});
    }
    {
        TempDir dir;
        wandb_test::write_text(dir / "files", "a file where the files directory should be");
        CHECK_THROWS_MATCHES(wandb::detail::stage_table_for_run(table, context_for(dir, "random_field")), wandb::IoError,
                             Message("wandb::Table: cannot create directory " + dir.path().string() +
                                     "/files/media/table: Not a directory"));
        CHECK(wandb_test::list_files(dir / "artifacts" / "staging").empty());  // staged copies removed
    }
    {
        TempDir dir;
        CHECK_THROWS_MATCHES(wandb::detail::stage_table_for_run(table, context_for(dir, "")), wandb::ValidationError,
                             Message("wandb::Table: key is empty"));
        CHECK(wandb_test::list_files(dir.path()).empty());
    }
}

TEST_CASE("Python's json.dumps(sort_keys=True) text, byte for byte", "[table][python_json]") {
    // Expected text printed by /usr/bin/python3 (3.11.2):
    //   json.dumps({"z": 1, "é": "é😀\u2028\x7f\"\\/\n\t\x01", "floats": [0.1, 1e-05, 1e+16, 100.0,
    //   1e15, 0.0001, 1.5e300, -0.0, 5e-324, 123456789.125, nan, inf, -inf], "ints": [0, -7,
    //   9223372036854775807, 18446744073709551615], "b": [True, False, None], "e": {}, "l": []},
    //   sort_keys=True)
    const double inf = std::numeric_limits<double>::infinity();
    wandb::Json v = wandb::Json::object();
    v["z"] = 1;
    v["é"] = "é😀\u2028\x7f\"\\/\n\t\x01";
    v["floats"] = {0.1, 1e-05, 1e+16, 100.0, 1e15, 0.0001, 1.5e300, -0.0, 5e-324, 123456789.125, std::nan(""), inf, -inf};
    v["ints"] = {0, -7, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::uint64_t>::max()};
    v["b"] = {true, false, nullptr};
    v["e"] = wandb::Json::object();
    v["l"] = wandb::Json::array();
    CHECK(wandb::detail::dump_python_json(v) ==
          R"({"b": [true, false, null], "e": {}, "floats": [0.1, 1e-05, 1e+16, 100.0, 1000000000000000.0, 0.0001, 1.5e+300, -0.0, 5e-324, 123456789.125, NaN, Infinity, -Infinity], "ints": [0, -7, 9223372036854775807, 18446744073709551615], "l": [], "z": 1, "\u00e9": "\u00e9\ud83d\ude00\u2028\u007f\"\\/\n\t\u0001"})");

    // pydantic_core 2.46.4 to_json (pyenv python3) of the same floats, one by one.
    const std::pair<double, const char*> run_floats[] = {
        {0.1, "0.1"}, {1e-05, "0.00001"}, {1e-06, "1e-6"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
        {100.0, "100.0"}, {1.5e300, "1.5e+300"}, {-0.0, "-0.0"}, {5e-324, "5e-324"}, {123456789.125, "123456789.125"},
        {0.000123, "0.000123"}, {1e22, "1e+22"}, {-2.5e-7, "-2.5e-7"}, {std::nan(""), "NaN"}, {inf, "Infinity"},
        {-inf, "-Infinity"}};
    for (const auto& [x, text] : run_floats) CHECK(wandb::detail::dump_run_json(wandb::Json(x)) == text);
}

TEST_CASE("Python's repr of strings and class sets, for the classes file name", "[table][python_repr]") {
    // Each expected value printed by /usr/bin/python3 (3.11.2) as repr(s).
    using wandb::detail::python_str_repr;
    CHECK(python_str_repr("person") == "'person'");
    CHECK(python_str_repr("it's") == "\"it's\"");
    CHECK(python_str_repr("say \"hi\"") == "'say \"hi\"'");
    CHECK(python_str_repr("both ' and \"") == "'both \\' and \"'");
    CHECK(python_str_repr("back\\slash") == "'back\\\\slash'");
    CHECK(python_str_repr("tab\tnew\nline\r") == "'tab\\tnew\\nline\\r'");
    CHECK(python_str_repr("\x01\x7f\u0080\u00a0\u00ad") == "'\\x01\\x7f\\x80\\xa0\\xad'");
    CHECK(python_str_repr("é😀") == "'é😀'");
    CHECK(python_str_repr("\u200b\u2028\ue000\U000F0000") == "'\\u200b\\u2028\\ue000\\U000f0000'");
    CHECK(python_str_repr("\u0378") == "'\\u0378'");  // unassigned in Unicode 14
    // str([{"id": 0, "name": "it's"}, {"id": -3, "name": "é\u200b"}])
    CHECK(wandb::detail::python_class_set_repr({{0, "it's"}, {-3, "é\u200b"}}) ==
          "[{'id': 0, 'name': \"it's\"}, {'id': -3, 'name': 'é\\u200b'}]");
    // The spec's value and its MD5 (section 1.2).
    const std::string seed = wandb::detail::python_class_set_repr({{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}});
    CHECK(seed == "[{'id': 0, 'name': 'person'}, {'id': 1, 'name': 'tree'}, {'id': 2, 'name': 'car'}, {'id': 3, 'name': 'road'}]");
    CHECK(wandb::detail::Md5::of(seed.data(), seed.size()).hex() == "59767aa87cb78a13bc44b0baac9a4749");
}

TEST_CASE("Class-id sets iterate in CPython's order", "[table][python_set]") {
    // Each expected list printed by /usr/bin/python3 (3.11.2) as list(set(set(ids))).
    auto order = [](std::vector<int> ids) {
        return wandb::detail::PyIntSet::copy_of(wandb::detail::PyIntSet::from_sequence(ids)).items();
    };
    using V = std::vector<std::int64_t>;
    CHECK(order({1, 8}) == V{8, 1});
    CHECK(order({2, 9, 17, 3}) == V{9, 2, 3, 17});
    CHECK(order({0, 7, 14, 21, 28, 35}) == V{0, 35, 21, 7, 28, 14});
    CHECK(order({-1, 5, 7, -8}) == V{-8, 5, -1, 7});
    CHECK(order({255, 0, 128, 64, 32, 16, 8}) == V{0, 32, 64, 128, 16, 8, 255});
    CHECK(order({100, 200, 300, 400, 500, 600, 700, 800, 900}) == V{800, 100, 900, 200, 300, 400, 500, 600, 700});
}

TEST_CASE("Artifact member and artifact names follow the SDK's rules", "[table][artifact][names]") {
    using wandb::detail::logical_path;
    using wandb::detail::sanitize_artifact_name;
    using wandb::detail::with_suffix;
    // sanitize_artifact_name, computed with /usr/bin/python3 (re, zlib.crc32, base64).
    CHECK(sanitize_artifact_name("run-abc123-random_field") == "run-abc123-random_field");
    CHECK(sanitize_artifact_name("run-abc123-val/img") == "run-abc123-valimg-KinaSA");
    CHECK(sanitize_artifact_name("run-abc123-épreuve 1") == "run-abc123-preuve1-_8r8Fg");
    CHECK(sanitize_artifact_name("run-x-a.b-c_d") == "run-x-a.b-c_d");
    // PurePosixPath normalization.
    CHECK(logical_path("val/img") == "val/img");
    CHECK(logical_path("a//b/./c/") == "a/b/c");
    CHECK(logical_path("./x") == "x");
    CHECK(logical_path("/abs") == "/abs");
    CHECK(logical_path("//two") == "//two");
    CHECK(logical_path("///three") == "/three");
    CHECK(logical_path("../up") == "../up");
    // with_suffix only checks the end of the name.
    CHECK(with_suffix("random_field", "table") == "random_field.table.json");
    CHECK(with_suffix("x.table.json", "table") == "x.table.json");
    CHECK(with_suffix("mytable.json", "table") == "mytable.json");
    CHECK(with_suffix("media/classes/abc_cls", "classes") == "media/classes/abc_cls.classes.json");
}

namespace {
/// Leaves digits in the stack below the caller, where a formatter that reads past the end of
/// its own buffer would find them.
__attribute__((noinline)) void leave_digits_on_the_stack() {
    volatile char junk[512];
    for (char& c : const_cast<char(&)[512]>(junk)) c = '6';
    (void)junk[0];
}
}  // namespace

TEST_CASE("Python float repr reads only the exponent digits it was given", "[table][python_json]") {
    // Regression: the exponent was parsed with atoi from a buffer to_chars does not terminate, so a
    // stale '6' after "e+08" made 123456789.125 print as "1.23456789125e+86" now and then.
    for (int i = 0; i < 100; ++i) {
        leave_digits_on_the_stack();
        REQUIRE(wandb::detail::python_float_repr(123456789.125) == "123456789.125");
        leave_digits_on_the_stack();
        REQUIRE(wandb::detail::python_float_repr(1e16) == "1e+16");
        leave_digits_on_the_stack();
        REQUIRE(wandb::detail::pydantic_float_repr(1.5e300) == "1.5e+300");  // pydantic_core.to_json(1.5e300)
    }
}

}  // namespace test_table
