// Tests for media.hpp: upload-safe names, run payloads checked against the files they name
// (read back, hashed, decoded), singletons, image lists, and write failures.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <string>

#include <wandb/detail/atomic_file.hpp>
#include <wandb/detail/hash.hpp>
#include <wandb/wandb.hpp>

#include "support/seed_fixtures.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_media {

using Catch::Message;
using wandb_test::seed_labels;
using wandb_test::quadrants;
using wandb_test::gradient;
using wandb_test::TempDir;

namespace {

std::string sha256_of_file(const std::filesystem::path& p) {
    const auto bytes = wandb_test::read_bytes(p);
    return wandb::detail::Sha256::of(bytes.data(), bytes.size()).hex();
}

/// The run payload of a file as the SDK writes it, built from the file on disk.
wandb::Json file_payload(const std::filesystem::path& files_dir, const std::string& type, const std::string& subdir,
                         const std::string& stem, const std::string& ext) {
    std::string found;
    for (const auto& name : wandb_test::list_files(files_dir))
        if (name.rfind(subdir + "/" + stem + "_", 0) == 0 && name.size() > ext.size() &&
            name.compare(name.size() - ext.size(), ext.size(), ext) == 0 &&
            name.find('/', subdir.size() + 1) == std::string::npos)
            found = name;
    REQUIRE_FALSE(found.empty());
    const std::string sha = sha256_of_file(files_dir / found);
    CHECK(found == subdir + "/" + stem + "_" + sha.substr(0, 20) + ext);
    wandb::Json j;
    j["_type"] = type;
    j["sha256"] = sha;
    j["size"] = std::filesystem::file_size(files_dir / found);
    j["path"] = found;
    return j;
}

}  // namespace

TEST_CASE("Keys are made upload-safe as the SDK makes them", "[media]") {
    // The examples of wandb-tables-artifacts.md section 4.
    CHECK(wandb::make_file_path_upload_safe("img") == "img");
    CHECK(wandb::make_file_path_upload_safe("val/img") == "val/img");
    CHECK(wandb::make_file_path_upload_safe("/abs/x") == "abs/x");
    CHECK(wandb::make_file_path_upload_safe("//abs") == "abs");
    CHECK(wandb::make_file_path_upload_safe("../x") == "__/x");
    CHECK(wandb::make_file_path_upload_safe("a/./b") == "a/_/b");
    CHECK(wandb::make_file_path_upload_safe("a/../..") == "a/__/__");
    CHECK(wandb::make_file_path_upload_safe("a.b") == "a.b");
    CHECK(wandb::make_file_path_upload_safe("...") == "...");
    CHECK(wandb::make_file_path_upload_safe("a/") == "a/");
    CHECK(wandb::media_file_name("img", 0, "91320cf49589337e6061", ".png") == "img_0_91320cf49589337e6061.png");
    CHECK(wandb::media_file_name("a/", 12, "x", ".png") == "a/_12_x.png");
}

TEST_CASE("media_file_name rejects keys that cannot name a file", "[media][errors]") {
    CHECK_THROWS_MATCHES(wandb::media_file_name("", 0, "id", ".png"), wandb::ValidationError,
                         Message("wandb::media_file_name: key is empty"));
    CHECK_THROWS_MATCHES(wandb::media_file_name(std::string("a\0b", 3), 0, "id", ".png"), wandb::ValidationError,
                         Message(R"(wandb::media_file_name: key "a\x00b" holds a control character at byte 1)"));
    CHECK_THROWS_MATCHES(wandb::media_file_name("tab\there", 0, "id", ".png"), wandb::ValidationError,
                         Message(R"(wandb::media_file_name: key "tab\x09here" holds a control character at byte 3)"));
    CHECK_THROWS_MATCHES(wandb::media_file_name("bad\xFF", 0, "id", ".png"), wandb::ValidationError,
                         Message("wandb::media_file_name: key is not valid UTF-8 (byte 0xff at offset 3)"));
    const std::string long_key(300, 'k');
    CHECK_THROWS_MATCHES(wandb::media_file_name(long_key, 0, "0123456789abcdef0123", ".png"), wandb::ValidationError,
                         Message("wandb::media_file_name: key \"" + long_key +
                                 "\" makes a file name segment of 327 bytes; the limit is 255"));
    CHECK_NOTHROW(wandb::media_file_name("dir/" + std::string(200, 'k'), 0, "0123456789abcdef0123", ".png"));
}

TEST_CASE("An image with two masks binds to a run as the SDK's image-file payload", "[media][run]") {
    TempDir dir;
    const auto px = gradient(100, 100);
    const auto image = wandb::Image(px)
                           .with_mask("predictions", wandb::ImageMask(quadrants(50), seed_labels))
                           .with_mask("ground_truth", wandb::ImageMask(quadrants(25), seed_labels));
    const wandb::RunPayload out = wandb::bind_to_run(image, {dir.path(), "img_with_masks", 0});

    const auto image_file = file_payload(dir.path(), "image-file", "media/images", "img_with_masks_0", ".png");
    wandb::Json expected;
    for (auto& [k, v] : image_file.items()) expected[k] = v;
    expected["format"] = "png";
    expected["width"] = 100;
    expected["height"] = 100;
    CHECK(out.value.size() == 8);
    for (const char* k : {"_type", "sha256", "size", "path", "format", "width", "height"})
        CHECK(out.value.at(k) == expected.at(k));
    // Key order, as the SDK's dict insertion order makes it.
    std::vector<std::string> keys;
    for (auto& item : out.value.items()) keys.push_back(item.key());
    CHECK(keys == std::vector<std::string>{"_type", "sha256", "size", "path", "format", "width", "height", "masks"});

    // Each mask file: named by its own digest, decoded as 8-bit gray with exactly the class ids.
    REQUIRE(out.value["masks"].size() == 2);
    std::vector<std::string> mask_keys;
    for (auto& [name, payload] : out.value["masks"].items()) {
        mask_keys.push_back(name);
        const std::string path = payload["path"];
        const std::string sha = sha256_of_file(dir / path);
        wandb::Json want;
        want["_type"] = "mask";
        want["sha256"] = sha;
        want["size"] = std::filesystem::file_size(dir / path);
        want["path"] = "media/images/mask/img_with_masks_0_" + sha.substr(0, 20) + ".mask.png";
        CHECK(payload.dump() == want.dump());
        const auto file = wandb_test::read_bytes(dir / path);
        CHECK(wandb_test::png_depth_and_color(file) == std::pair<int, int>{8, 0});
        const auto decoded = wandb_test::decode(file);
        REQUIRE(decoded.channels == 1);
        const auto expected_mask = quadrants(name == "predictions" ? 50 : 25);
        CHECK(decoded.pixels == std::vector<std::uint8_t>(expected_mask.begin(), expected_mask.end()));
    }
    CHECK(mask_keys == std::vector<std::string>{"predictions", "ground_truth"});

    // The image file decodes to the pixels given.
    const auto decoded = wandb_test::decode(wandb_test::read_bytes(dir / std::string(out.value["path"])));
    CHECK(decoded.channels == 3);
    CHECK(decoded.pixels == std::vector<std::uint8_t>(px.begin(), px.end()));

    // Files in binding order, nothing else on disk (no temporary files left).
    CHECK(out.files == std::vector<std::string>{out.value["path"], out.value["masks"]["predictions"]["path"],
                                                out.value["masks"]["ground_truth"]["path"]});
    auto sorted = out.files;
    std::sort(sorted.begin(), sorted.end());
    CHECK(wandb_test::list_files(dir.path()) == sorted);

    // The config singletons, with the SDK's spelling.
    wandb::Json config;
    wandb::add_class_label_singletons(config, out.singletons);
    CHECK(config.dump() ==
          R"({"mask/class_labels":{"img_with_masks_wandb_delimeter_predictions":{"type":"mask/class_labels","key":"img_with_masks_wandb_delimeter_predictions","value":{"0":"person","1":"tree","2":"car","3":"road"}},"img_with_masks_wandb_delimeter_ground_truth":{"type":"mask/class_labels","key":"img_with_masks_wandb_delimeter_ground_truth","value":{"0":"person","1":"tree","2":"car","3":"road"}}}})");
}

TEST_CASE("Caption comes first, grouping only when non-zero, boxes before masks", "[media][run]") {
    TempDir dir;
    const xt::xtensor<std::uint8_t, 2> mask = {{0, 1}, {1, 0}};
    const auto image = wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{2, 2, 3}, 9))
                           .with_caption("épreuve")
                           .with_grouping(3)
                           .with_mask("m", wandb::ImageMask(mask))
                           .with_boxes("b", wandb::BoundingBoxes2D({{wandb::BoxCorners{0.1, 0.2, 0.3, 0.4}, 1, "tree",
                                                                     {{"acc", 0.2}, {"loss", 1.2}}}},
                                                                   seed_labels));
    const auto out = wandb::bind_to_run(image, {dir.path(), "val/scene", 7});
    std::vector<std::string> keys;
    for (auto& item : out.value.items()) keys.push_back(item.key());
    CHECK(keys == std::vector<std::string>{"caption", "_type", "sha256", "size", "path", "format", "width", "height",
                                           "grouping", "boxes", "masks"});
    CHECK(out.value["caption"] == "épreuve");
    CHECK(out.value["grouping"] == 3);
    const std::string boxes_path = out.value["boxes"]["b"]["path"];
    CHECK(out.value["boxes"]["b"]["_type"] == "boxes2D");
    CHECK(boxes_path.rfind("media/metadata/boxes2D/val/scene_7_", 0) == 0);
    CHECK(boxes_path.substr(boxes_path.size() - 13) == ".boxes2D.json");
    const auto text = wandb_test::read_bytes(dir / boxes_path);
    CHECK(std::string(text.begin(), text.end()) ==
          R"({"box_data":[{"position":{"minX":0.1,"maxX":0.2,"minY":0.3,"maxY":0.4},"class_id":1,"box_caption":"tree","scores":{"acc":0.2,"loss":1.2}}],"class_labels":{"0":"person","1":"tree","2":"car","3":"road"}})");
    CHECK(out.value["boxes"]["b"]["sha256"] == sha256_of_file(dir / boxes_path));
    CHECK(std::string(out.value["path"]).rfind("media/images/val/scene_7_", 0) == 0);
    REQUIRE(out.singletons.size() == 2);
    CHECK(out.singletons[0].type == "bounding_box/class_labels");
    CHECK(out.singletons[0].key == "val/scene_wandb_delimeter_b");
    CHECK(out.singletons[0].labels == seed_labels);
    CHECK(out.singletons[1].type == "mask/class_labels");
    CHECK(out.singletons[1].key == "val/scene_wandb_delimeter_m");
    CHECK(out.singletons[1].labels == wandb::ClassLabels{{0, "class_0"}, {1, "class_1"}});

    const auto zero = wandb::bind_to_run(wandb::Image(mask).with_grouping(0), {dir.path(), "g", 0});
    CHECK_FALSE(zero.value.contains("grouping"));
}

TEST_CASE("Two masks with identical bytes share one file, listed once", "[media][run]") {
    TempDir dir;
    const auto m = quadrants(50);
    const auto image =
        wandb::Image(gradient(100, 100)).with_mask("a", wandb::ImageMask(m)).with_mask("b", wandb::ImageMask(m));
    const auto out = wandb::bind_to_run(image, {dir.path(), "k", 0});
    CHECK(out.value["masks"]["a"] == out.value["masks"]["b"]);
    CHECK(out.files.size() == 2);
}

TEST_CASE("Images and masks from files are logged byte for byte under their own extension", "[media][run][file]") {
    TempDir in, dir;
    const auto photo = wandb_test::make_png(2, 2, 8, 2, std::vector<std::uint8_t>(12, 100));
    const auto mask_file = wandb_test::make_gray_png(2, 2, {0, 1, 2, 3});
    wandb_test::write_bytes(in / "photo.png", photo);
    wandb_test::write_bytes(in / "labels.png", mask_file);
    const auto image = wandb::Image(in / "photo.png").with_mask("gt", wandb::ImageMask(in / "labels.png"));
    const auto out = wandb::bind_to_run(image, {dir.path(), "files", 2});
    CHECK(wandb_test::read_bytes(dir / std::string(out.value["path"])) == photo);
    const std::string mask_path = out.value["masks"]["gt"]["path"];
    CHECK(wandb_test::read_bytes(dir / mask_path) == mask_file);
    const std::string sha = sha256_of_file(dir / mask_path);
    CHECK(mask_path == "media/images/mask/files_2_" + sha.substr(0, 20) + ".png");
    CHECK(out.singletons.at(0).labels ==
          wandb::ClassLabels{{0, "class_0"}, {1, "class_1"}, {2, "class_2"}, {3, "class_3"}});
}

TEST_CASE("jpg and bmp images are encoded with their format", "[media][run]") {
    TempDir dir;
    const auto px = gradient(8, 8);
    const auto jpg = wandb::bind_to_run(wandb::Image(px, wandb::ImageFormat::jpg), {dir.path(), "j", 0});
    CHECK(jpg.value["format"] == "jpg");
    const std::string jpg_path = jpg.value["path"];
    CHECK(jpg_path.substr(jpg_path.size() - 4) == ".jpg");
    const auto jpeg_bytes = wandb_test::read_bytes(dir / jpg_path);
    CHECK(jpeg_bytes.at(0) == 0xFF);
    CHECK(jpeg_bytes.at(1) == 0xD8);
    const auto bmp = wandb::bind_to_run(wandb::Image(px, wandb::ImageFormat::bmp), {dir.path(), "b", 0});
    const auto decoded = wandb_test::decode(wandb_test::read_bytes(dir / std::string(bmp.value["path"])));
    CHECK(decoded.pixels == std::vector<std::uint8_t>(px.begin(), px.end()));  // bmp is lossless
}

TEST_CASE("A list of images binds as images/separated with the SDK's optional fields", "[media][run][list]") {
    TempDir dir;
    const auto first = wandb::Image(gradient(4, 4)).with_caption("a").with_mask("pred", wandb::ImageMask(
                                                                                          xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{4, 4}, 1)));
    const auto second = wandb::Image(gradient(4, 4) / std::uint8_t(2));
    const auto out = wandb::bind_to_run(std::vector<wandb::Image>{first, second}, {dir.path(), "examples", 3});
    std::vector<std::string> keys;
    for (auto& item : out.value.items()) keys.push_back(item.key());
    CHECK(keys == std::vector<std::string>{"_type", "width", "height", "format", "count", "filenames", "captions",
                                           "all_masks"});
    CHECK(out.value["_type"] == "images/separated");
    CHECK(out.value["width"] == 4);
    CHECK(out.value["height"] == 4);
    CHECK(out.value["format"] == "png");
    CHECK(out.value["count"] == 2);
    REQUIRE(out.value["filenames"].size() == 2);
    for (const auto& name : out.value["filenames"]) {
        const std::string path = name;
        CHECK(path == "media/images/examples_3_" + sha256_of_file(dir / path).substr(0, 20) + ".png");
    }
    CHECK(out.value["captions"].dump() == R"(["a",null])");
    REQUIRE(out.value["all_masks"].size() == 2);
    CHECK(out.value["all_masks"][0]["pred"]["_type"] == "mask");
    CHECK(out.value["all_masks"][1].is_null());
    CHECK_FALSE(out.value.contains("all_boxes"));
    CHECK(out.files.size() == 3);

    // Captions appear only when the first image has one.
    const auto unlabeled = wandb::bind_to_run(std::vector<wandb::Image>{second, first}, {dir.path(), "other", 0});
    CHECK_FALSE(unlabeled.value.contains("captions"));
}

TEST_CASE("Lists of images must hold 1 to 108 images", "[media][run][list][errors]") {
    TempDir dir;
    CHECK_THROWS_MATCHES(wandb::bind_to_run(std::vector<wandb::Image>{}, {dir.path(), "examples", 0}),
                         wandb::ValidationError,
                         Message(R"(wandb::bind_to_run: the list of images under key "examples" is empty)"));
    const std::vector<wandb::Image> many(109, wandb::Image(xt::xtensor<std::uint8_t, 2>{{1}}));
    CHECK_THROWS_MATCHES(wandb::bind_to_run(many, {dir.path(), "examples", 0}), wandb::ValidationError,
                         Message(R"(wandb::bind_to_run: 109 images under key "examples"; W&B shows at most 108 per key, so log them under several keys)"));
    CHECK(wandb_test::list_files(dir.path()).empty());
    const std::vector<wandb::Image> most(108, wandb::Image(xt::xtensor<std::uint8_t, 2>{{1}}));
    CHECK(wandb::bind_to_run(most, {dir.path(), "examples", 0}).value["count"] == 108);
}

TEST_CASE("A files directory that cannot be created fails with IoError naming it", "[media][run][errors]") {
    TempDir dir;
    wandb_test::write_text(dir / "files", "a regular file where the directory should be");
    const auto image = wandb::Image(xt::xtensor<std::uint8_t, 2>{{1}});
    CHECK_THROWS_MATCHES(wandb::bind_to_run(image, {dir / "files", "k", 0}), wandb::IoError,
                         Message("wandb::bind_to_run: cannot create directory " + dir.path().string() +
                                 "/files/media/images: Not a directory"));
}

TEST_CASE("Atomic writes leave no temporary file behind when the rename fails", "[media][errors]") {
    TempDir dir;
    std::filesystem::create_directories(dir / "target.png");  // a directory is in the way of the rename
    const std::string bytes = "data";
    CHECK_THROWS_MATCHES(wandb::detail::write_file_atomically(dir / "target.png", bytes.data(), bytes.size(), "test"),
                         wandb::IoError,
                         Message("test: cannot rename a temporary file to " + dir.path().string() +
                                 "/target.png: Is a directory"));
    CHECK(wandb_test::list_files(dir.path()).empty());
}

}  // namespace test_media
