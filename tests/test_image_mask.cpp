// Tests for image_mask.hpp: construction from arrays of every integer type and from PNG files,
// default labels, and the exact error for every bad input.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <string>

#include <wandb/wandb.hpp>

#include "support/run_support.hpp"
#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_image_mask {

using Catch::Message;
using wandb_test::TempDir;

TEST_CASE("ImageMask keeps uint8 labels and names the classes present by default", "[image_mask]") {
    const xt::xtensor<std::uint8_t, 2> labels = {{0, 3, 3}, {7, 0, 3}};
    const wandb::ImageMask mask(labels);
    static_assert(std::is_same_v<decltype(mask), const wandb::ImageMask<std::uint8_t>>);
    CHECK(mask.mask_data() == labels);
    CHECK(mask.height() == 2);
    CHECK(mask.width() == 3);
    CHECK(mask.class_labels() == wandb::ClassLabels{{0, "class_0"}, {3, "class_3"}, {7, "class_7"}});
    CHECK_FALSE(mask.path().has_value());
    CHECK(mask.file_bytes() == nullptr);
}

TEST_CASE("ImageMask keeps the labels given, even when they do not cover every value", "[image_mask]") {
    const xt::xtensor<int, 2> labels = {{0, 1}, {2, 3}};
    const wandb::ImageMask mask(labels, wandb::ClassLabels{{0, "person"}, {1, "tree"}});
    CHECK(mask.class_labels() == wandb::ClassLabels{{0, "person"}, {1, "tree"}});
    const wandb::ImageMask none(labels, wandb::ClassLabels{});  // {} given: no defaults, as in the SDK
    CHECK(none.class_labels().empty());
}

TEMPLATE_TEST_CASE("ImageMask accepts every integer element type and deduces it", "[image_mask]", std::int8_t,
                   std::int16_t, std::int32_t, std::int64_t, std::uint16_t, std::uint32_t, std::uint64_t, bool) {
    xt::xtensor<TestType, 2> labels = xt::zeros<TestType>({3, 4});
    labels(2, 3) = TestType(1);
    const wandb::ImageMask mask(labels);
    static_assert(std::is_same_v<typename std::decay_t<decltype(mask)>::value_type, TestType>);
    CHECK(mask.mask_data() == labels);
    CHECK(mask.class_labels() == wandb::ClassLabels{{0, "class_0"}, {1, "class_1"}});
}

TEST_CASE("ImageMask evaluates a lazy expression once into its own tensor", "[image_mask]") {
    const xt::xtensor<int, 2> a = {{1, 2}, {3, 4}};
    const wandb::ImageMask mask(a * 2 + 1);
    CHECK(mask.mask_data() == xt::xtensor<int, 2>{{3, 5}, {7, 9}});
    xt::xtensor<std::uint8_t, 2> moved = {{5, 6}};
    const std::uint8_t* storage = moved.data();
    const wandb::ImageMask<std::uint8_t> taken(std::move(moved));
    CHECK(taken.mask_data().data() == storage);  // taken over, not copied
}

TEST_CASE("ImageMask<uint8_t> converts a wider mask exactly", "[image_mask]") {
    const wandb::ImageMask wide(xt::xtensor<std::int64_t, 2>{{0, 255}, {128, 7}});
    const wandb::ImageMask<std::uint8_t> narrow(wide);
    CHECK(narrow.mask_data() == xt::xtensor<std::uint8_t, 2>{{0, 255}, {128, 7}});
    CHECK(narrow.class_labels() == wide.class_labels());
}

TEST_CASE("ImageMask rejects arrays that are not 2D", "[image_mask][errors]") {
    CHECK_THROWS_MATCHES(wandb::ImageMask(xt::xtensor<int, 3>(std::array<std::size_t, 3>{2, 3, 4})),
                         wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data must be a 2D array, got shape (2, 3, 4)"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(xt::xarray<int>::from_shape({5})), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data must be a 2D array, got shape (5,)"));
}

TEST_CASE("ImageMask rejects empty arrays and sides over 65500", "[image_mask][errors]") {
    CHECK_THROWS_MATCHES(wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{0, 5})),
                         wandb::ValidationError, Message("wandb::ImageMask: mask_data is empty, shape (0, 5)"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{7, 0})),
                         wandb::ValidationError, Message("wandb::ImageMask: mask_data is empty, shape (7, 0)"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{1, 65501})),
                         wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data shape (1, 65501) has a side over 65500"));
    CHECK_NOTHROW(wandb::ImageMask(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{65500, 1}, 0)));
}

TEMPLATE_TEST_CASE("ImageMask reports the first value over 255 with its row and column", "[image_mask][errors]",
                   std::int16_t, std::int32_t, std::int64_t, std::uint16_t, std::uint32_t, std::uint64_t) {
    xt::xtensor<TestType, 2> labels = xt::zeros<TestType>({4, 5});
    labels(2, 3) = TestType(256);
    labels(3, 0) = TestType(300);
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data value 256 at row 2, column 3 is outside 0..255"));
    labels(2, 3) = TestType(255);
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data value 300 at row 3, column 0 is outside 0..255"));
}

TEMPLATE_TEST_CASE("ImageMask reports negative values", "[image_mask][errors]", std::int8_t, std::int16_t,
                   std::int32_t, std::int64_t) {
    xt::xtensor<TestType, 2> labels = xt::zeros<TestType>({2, 2});
    labels(0, 1) = TestType(-1);
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data value -1 at row 0, column 1 is outside 0..255"));
}

TEST_CASE("ImageMask reports positions in a column-major tensor as rows and columns", "[image_mask][errors]") {
    xt::xtensor<int, 2, xt::layout_type::column_major> labels = xt::zeros<int>({3, 4});
    labels(1, 2) = 999;
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data value 999 at row 1, column 2 is outside 0..255"));
}

TEST_CASE("ImageMask rejects label ids outside 0..255 and bad names", "[image_mask][errors]") {
    const xt::xtensor<std::uint8_t, 2> labels = {{0, 1}};
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels, wandb::ClassLabels{{0, "a"}, {256, "b"}}), wandb::ValidationError,
                         Message("wandb::ImageMask: class label id 256 is outside 0..255"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels, wandb::ClassLabels{{-1, "a"}}), wandb::ValidationError,
                         Message("wandb::ImageMask: class label id -1 is outside 0..255"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels, wandb::ClassLabels{{3, "\xFFroad"}}), wandb::ValidationError,
                         Message("wandb::ImageMask: class label 3 name is not valid UTF-8 (byte 0xff at offset 0)"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels, wandb::ClassLabels{{3, "\xC0\xAF"}}),  // overlong '/'
                         wandb::ValidationError,
                         Message("wandb::ImageMask: class label 3 name is not valid UTF-8 (byte 0xc0 at offset 0)"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(labels, wandb::ClassLabels{{3, ""}}), wandb::ValidationError,
                         Message("wandb::ImageMask: class label 3 name is empty"));
}

TEST_CASE("ImageMask reads an 8-bit gray PNG file and keeps its bytes", "[image_mask][file]") {
    TempDir dir;
    const auto file = wandb_test::make_gray_png(3, 2, {0, 4, 4, 9, 0, 4});
    wandb_test::write_bytes(dir / "mask.png", file);
    const wandb::ImageMask mask(dir / "mask.png");
    static_assert(std::is_same_v<decltype(mask), const wandb::ImageMask<std::uint8_t>>);
    CHECK(mask.mask_data() == xt::xtensor<std::uint8_t, 2>{{0, 4, 4}, {9, 0, 4}});
    CHECK(mask.class_labels() == wandb::ClassLabels{{0, "class_0"}, {4, "class_4"}, {9, "class_9"}});
    CHECK(mask.path() == dir / "mask.png");
    REQUIRE(mask.file_bytes() != nullptr);
    CHECK(*mask.file_bytes() == file);
    const wandb::ImageMask labelled(dir / "mask.png", wandb::ClassLabels{{4, "car"}});
    CHECK(labelled.class_labels() == wandb::ClassLabels{{4, "car"}});
}

TEST_CASE("ImageMask names a missing, directory or unreadable mask file", "[image_mask][file][errors]") {
    TempDir dir;
    const std::string base = dir.path().string();
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "absent.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: cannot read mask file " + base + "/absent.png: No such file or directory"));
    std::filesystem::create_directory(dir / "folder.png");
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "folder.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: cannot read mask file " + base + "/folder.png: it is a directory, not a regular file"));
    wandb_test::write_text(dir / "plain", "x");
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "plain" / "mask.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: cannot read mask file " + base + "/plain/mask.png: Not a directory"));
    wandb_test::write_bytes(dir / "locked.png", wandb_test::make_gray_png(1, 1, {0}));
    ::chmod((dir / "locked.png").c_str(), 0);
    // Root reads every file, so the case runs in a child that switched to "nobody" when root.
    wandb_test::open_to_everyone(dir.path());
    CHECK(wandb_test::in_unprivileged_child([&] {
              return wandb_test::outcome_of([&] { wandb::ImageMask mask(dir / "locked.png"); });
          }) == "ValidationError: wandb::ImageMask: cannot read mask file " + base + "/locked.png: Permission denied");
}

TEST_CASE("ImageMask rejects files that are not PNG images", "[image_mask][file][errors]") {
    TempDir dir;
    const std::string base = dir.path().string();
    wandb_test::write_text(dir / "notes.png", "this is text, not a PNG");
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "notes.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: mask file " + base + "/notes.png is not a PNG image"));
    wandb_test::write_bytes(dir / "empty.png", {});
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "empty.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: mask file " + base + "/empty.png is not a PNG image"));
    wandb_test::write_bytes(dir / "photo.png", {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'});
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "photo.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: mask file " + base + "/photo.png is not a PNG image"));
}

TEST_CASE("ImageMask says how many channels and bits a non-gray-8 PNG has", "[image_mask][file][errors]") {
    TempDir dir;
    const std::string base = dir.path().string();
    const std::string prefix = "wandb::ImageMask: mask file " + base;
    wandb_test::write_bytes(dir / "rgb.png", wandb_test::make_png(2, 1, 8, 2, {1, 2, 3, 4, 5, 6}));
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "rgb.png"), wandb::ValidationError,
                         Message(prefix + "/rgb.png must be single-channel 8-bit gray, but it has 3 channels (RGB) of 8 bits"));
    wandb_test::write_bytes(dir / "rgba.png", wandb_test::make_png(1, 1, 8, 6, {1, 2, 3, 4}));
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "rgba.png"), wandb::ValidationError,
                         Message(prefix + "/rgba.png must be single-channel 8-bit gray, but it has 4 channels (RGBA) of 8 bits"));
    wandb_test::write_bytes(dir / "deep.png", wandb_test::make_png(2, 1, 16, 0, {0, 1, 0, 2}));
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "deep.png"), wandb::ValidationError,
                         Message(prefix + "/deep.png must be single-channel 8-bit gray, but it has 1 channel (gray) of 16 bits"));
    wandb_test::write_bytes(dir / "palette.png", wandb_test::make_png(2, 1, 8, 3, {0, 1}, {0, 0, 0, 255, 255, 255}));
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "palette.png"), wandb::ValidationError,
                         Message(prefix + "/palette.png must be single-channel 8-bit gray, but it has 1 channel (palette) of 8 bits"));
    wandb_test::write_bytes(dir / "gray_alpha.png", wandb_test::make_png(1, 1, 8, 4, {9, 255}));
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "gray_alpha.png"), wandb::ValidationError,
                         Message(prefix + "/gray_alpha.png must be single-channel 8-bit gray, but it has 2 channels (gray+alpha) of 8 bits"));
    wandb_test::write_bytes(dir / "bits.png", wandb_test::make_png(8, 1, 1, 0, {0xA5}));
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "bits.png"), wandb::ValidationError,
                         Message(prefix + "/bits.png must be single-channel 8-bit gray, but it has 1 channel (gray) of 1 bit"));
}

TEST_CASE("ImageMask rejects truncated and corrupted PNG files", "[image_mask][file][errors]") {
    TempDir dir;
    const std::string prefix = "wandb::ImageMask: mask file " + dir.path().string();
    const auto good = wandb_test::make_gray_png(16, 16, std::vector<std::uint8_t>(256, 3));
    // Layout: 8-byte signature, IHDR chunk at byte 8 (25 bytes), IDAT chunk at byte 33.
    auto cut = good;
    cut.resize(40);
    wandb_test::write_bytes(dir / "cut.png", cut);
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "cut.png"), wandb::ValidationError,
                         Message(prefix + "/cut.png is corrupt: truncated: chunk at byte 33 runs past the end of the file"));
    auto no_end = good;
    no_end.resize(good.size() - 12);  // drop IEND
    wandb_test::write_bytes(dir / "no_end.png", no_end);
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "no_end.png"), wandb::ValidationError,
                         Message(prefix + "/no_end.png is corrupt: truncated at byte " + std::to_string(no_end.size()) +
                                 " (no IEND chunk)"));
    auto flipped = good;
    flipped[45] ^= 0x01;  // inside IDAT's data
    wandb_test::write_bytes(dir / "flipped.png", flipped);
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "flipped.png"), wandb::ValidationError,
                         Message(prefix + "/flipped.png is corrupt: bad CRC in chunk IDAT at byte 33"));
}

TEST_CASE("A tiny PNG announcing 60000x60000 pixels fails before decoding", "[image_mask][file][errors]") {
    TempDir dir;
    const auto huge = wandb_test::make_png(60000, 60000, 8, 0, {});
    REQUIRE(huge.size() < 200);
    wandb_test::write_bytes(dir / "bomb.png", huge);
    CHECK_THROWS_MATCHES(wandb::ImageMask(dir / "bomb.png"), wandb::ValidationError,
                         Message("wandb::ImageMask: mask file " + dir.path().string() +
                                 "/bomb.png announces 60000x60000 pixels, more than its " + std::to_string(huge.size()) +
                                 " bytes can hold"));
}

}  // namespace test_image_mask
