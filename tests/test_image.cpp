// Tests for image.hpp: shapes, the SDK's normalization (expected values computed with numpy, the
// SDK's own arithmetic), images from files, overlays and the merged class set.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include <wandb/wandb.hpp>

#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_image {

using Catch::Message;
using wandb_test::TempDir;

namespace {
std::vector<std::uint8_t> pixels_of(const wandb::Image& image) {
    return std::vector<std::uint8_t>(image.pixels()->begin(), image.pixels()->end());
}
}  // namespace

TEST_CASE("Image keeps 8-bit pixels of every accepted shape", "[image]") {
    const xt::xtensor<std::uint8_t, 2> gray = {{0, 200}, {17, 255}};
    const wandb::Image g(gray);
    CHECK(g.pixels()->shape() == std::array<std::size_t, 3>{2, 2, 1});
    CHECK(pixels_of(g) == std::vector<std::uint8_t>{0, 200, 17, 255});
    CHECK(g.width() == 2);
    CHECK(g.height() == 2);
    CHECK(g.format() == "png");
    const wandb::Image one(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{3, 5, 1}, 9));
    CHECK(one.pixels()->shape() == std::array<std::size_t, 3>{3, 5, 1});
    CHECK(one.width() == 5);
    CHECK(one.height() == 3);
    xt::xtensor<std::uint8_t, 3> rgb = xt::zeros<std::uint8_t>({2, 3, 3});
    rgb(1, 2, 0) = 250;
    CHECK(*wandb::Image(rgb).pixels() == rgb);
    const xt::xarray<std::uint8_t> rgba = xt::ones<std::uint8_t>({4, 1, 4}) * 77;
    CHECK(wandb::Image(rgba).pixels()->shape() == std::array<std::size_t, 3>{4, 1, 4});
}

TEST_CASE("Image reads containers of any layout in row-major order, and long double pixels", "[image]") {
    // Column-major: element (r, c, k) is stored at r + 3 * c + 6 * k; the image is what a
    // row-major array of the same values gives.
    xt::xtensor<std::uint8_t, 3, xt::layout_type::column_major> cm = xt::zeros<std::uint8_t>({3, 2, 3});
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t k = 0; k < 3; ++k) cm(r, c, k) = static_cast<std::uint8_t>(100 + 10 * r + 3 * c + k);
    REQUIRE(cm.data()[1] == 110);  // (1, 0, 0): the layout is column-major
    CHECK(pixels_of(wandb::Image(cm)) == std::vector<std::uint8_t>{100, 101, 102, 103, 104, 105, 110, 111, 112,
                                                                   113, 114, 115, 120, 121, 122, 123, 124, 125});
    // A float column-major gray image: the [0, 1] rule, and errors name the row-major position.
    xt::xarray<float, xt::layout_type::column_major> gray = {{0.f, 0.5f}, {1.f, 0.2f}};
    CHECK(pixels_of(wandb::Image(gray)) == std::vector<std::uint8_t>{0, 127, 255, 51});
    gray(1, 0) = std::numeric_limits<float>::infinity();
    CHECK_THROWS_MATCHES(wandb::Image(gray), wandb::ValidationError,
                         Message("wandb::Image: pixel value inf at row 1, column 0 is not finite"));
    // A side of 1 (xtensor gives it stride 0).
    const xt::xtensor<std::int16_t, 3> row = {{{-1, 0, 1}, {1, 0, -1}}};
    CHECK(pixels_of(wandb::Image(row)) == std::vector<std::uint8_t>{0, 127, 255, 255, 127, 0});
    // long double: no PixelType, converted by the same rules in the template.
    const xt::xtensor<long double, 2> ld = {{0.0L, 0.5L, 1.0L}};
    CHECK(pixels_of(wandb::Image(ld)) == std::vector<std::uint8_t>{0, 127, 255});
}

TEST_CASE("Image rescales [0, 1] floats by 255 and truncates, as numpy does in float32", "[image][normalize]") {
    const xt::xtensor<float, 2> px = {{0.f, 0.5f, 1.f, 0.2f, 0.999f}};
    CHECK(pixels_of(wandb::Image(px)) == std::vector<std::uint8_t>{0, 127, 255, 51, 254});
}

TEST_CASE("Image maps [-1, 1] to 0..255 as 127.5 * (x + 1)", "[image][normalize]") {
    const xt::xtensor<double, 2> d = {{-1, 0, 0.5, 1, -0.3}};
    CHECK(pixels_of(wandb::Image(d)) == std::vector<std::uint8_t>{0, 127, 191, 255, 89});
    const xt::xtensor<float, 2> f = {{-1, 0, 0.5, 1, -0.3f, 0.7f}};
    CHECK(pixels_of(wandb::Image(f)) == std::vector<std::uint8_t>{0, 127, 191, 255, 89, 216});
    const xt::xtensor<std::int8_t, 2> i = {{-1, 0, 1}};
    CHECK(pixels_of(wandb::Image(i)) == std::vector<std::uint8_t>{0, 127, 255});
}

TEST_CASE("Image clips other ranges to 0..255", "[image][normalize]") {
    const xt::xtensor<double, 2> d = {{-5, 300, 12.7, 255.9}};
    CHECK(pixels_of(wandb::Image(d)) == std::vector<std::uint8_t>{0, 255, 12, 255});
    const xt::xtensor<std::int32_t, 2> i = {{-20, 100, 300}};
    CHECK(pixels_of(wandb::Image(i)) == std::vector<std::uint8_t>{0, 100, 255});
}

TEST_CASE("Image scales integer images whose values are all 0 or 1, as the SDK does", "[image][normalize]") {
    CHECK(pixels_of(wandb::Image(xt::xtensor<std::int32_t, 2>{{0, 1}})) == std::vector<std::uint8_t>{0, 255});
    CHECK(pixels_of(wandb::Image(xt::xtensor<std::uint8_t, 2>{{0, 1, 1}})) == std::vector<std::uint8_t>{0, 255, 255});
    CHECK(pixels_of(wandb::Image(xt::xtensor<bool, 2>{{false, true}})) == std::vector<std::uint8_t>{0, 255});
    CHECK(pixels_of(wandb::Image(xt::xtensor<std::uint8_t, 2>{{0, 2, 255}})) == std::vector<std::uint8_t>{0, 2, 255});
}

TEST_CASE("With Normalize::off, pixels are kept (floats truncated) and must lie in 0..255", "[image][normalize]") {
    const auto png = wandb::ImageFormat::png;
    CHECK(pixels_of(wandb::Image(xt::xtensor<std::uint8_t, 2>{{0, 1}}, png, wandb::Normalize::off)) ==
          std::vector<std::uint8_t>{0, 1});
    CHECK(pixels_of(wandb::Image(xt::xtensor<double, 2>{{0.5, 200.7}}, png, wandb::Normalize::off)) ==
          std::vector<std::uint8_t>{0, 200});
    CHECK_THROWS_MATCHES(wandb::Image(xt::xtensor<int, 2>{{0, 256}}, png, wandb::Normalize::off), wandb::ValidationError,
                         Message("wandb::Image: pixel value 256 at row 0, column 1 is outside 0..255 and normalization is off"));
    CHECK_THROWS_MATCHES(wandb::Image(xt::xtensor<float, 3>{{{0, 0, -0.5f}}}, png, wandb::Normalize::off),
                         wandb::ValidationError,
                         Message("wandb::Image: pixel value -0.5 at row 0, column 0, channel 2 is outside 0..255 and normalization is off"));
}

TEST_CASE("Image rejects NaN and infinite pixels, naming the position", "[image][errors]") {
    xt::xtensor<float, 3> px = xt::zeros<float>({2, 2, 3});
    px(1, 0, 2) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_MATCHES(wandb::Image(px), wandb::ValidationError,
                         Message("wandb::Image: pixel value nan at row 1, column 0, channel 2 is not finite"));
    xt::xtensor<double, 2> gray = xt::zeros<double>({3, 3});
    gray(2, 1) = -std::numeric_limits<double>::infinity();
    CHECK_THROWS_MATCHES(wandb::Image(gray), wandb::ValidationError,
                         Message("wandb::Image: pixel value -inf at row 2, column 1 is not finite"));
}

TEST_CASE("Image rejects shapes W&B cannot show", "[image][errors]") {
    const std::string expected = "wandb::Image: pixels must have shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got ";
    CHECK_THROWS_MATCHES(wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{100, 100, 2})),
                         wandb::ValidationError, Message(expected + "(100, 100, 2)"));
    CHECK_THROWS_MATCHES(wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{4, 4, 5})),
                         wandb::ValidationError, Message(expected + "(4, 4, 5)"));
    CHECK_THROWS_MATCHES(wandb::Image(xt::xarray<float>::from_shape({1, 4, 4, 3})), wandb::ValidationError,
                         Message(expected + "(1, 4, 4, 3)"));
    CHECK_THROWS_MATCHES(wandb::Image(xt::xarray<float>::from_shape({7})), wandb::ValidationError, Message(expected + "(7,)"));
    CHECK_THROWS_MATCHES(wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{0, 10, 3})),
                         wandb::ValidationError, Message("wandb::Image: pixels are empty, shape (0, 10, 3)"));
    CHECK_THROWS_MATCHES(wandb::Image(xt::xtensor<std::uint8_t, 2>(std::array<std::size_t, 2>{1, 65501})),
                         wandb::ValidationError, Message("wandb::Image: pixels shape (1, 65501) has a side over 65500"));
}

TEST_CASE("Image takes masks of any integer type, checks their size and keys", "[image][masks]") {
    const xt::xtensor<std::uint8_t, 3> px = xt::zeros<std::uint8_t>({4, 6, 3});
    xt::xtensor<std::int64_t, 2> wide = xt::zeros<std::int64_t>({4, 6});
    wide(3, 5) = 200;
    auto image = wandb::Image(px).with_mask("predictions", wandb::ImageMask(wide));
    REQUIRE(image.masks().size() == 1);
    CHECK(image.masks()[0].first == "predictions");
    CHECK(image.masks()[0].second->mask_data()(3, 5) == 200);
    CHECK(image.masks()[0].second->class_labels() == wandb::ClassLabels{{0, "class_0"}, {200, "class_200"}});

    CHECK_THROWS_MATCHES(image.with_mask("predictions", wandb::ImageMask(wide)), wandb::ValidationError,
                         Message(R"(wandb::Image: duplicate mask key "predictions")"));
    CHECK_THROWS_MATCHES(image.with_mask("", wandb::ImageMask(wide)), wandb::ValidationError,
                         Message("wandb::Image: mask key is empty"));
    const xt::xtensor<std::uint8_t, 2> small = xt::zeros<std::uint8_t>({3, 6});
    CHECK_THROWS_MATCHES(image.with_mask("ground_truth", wandb::ImageMask(small)), wandb::ValidationError,
                         Message(R"(wandb::Image: mask "ground_truth" has shape (3, 6) but the image has shape (4, 6))"));
    const xt::xtensor<std::uint8_t, 2> transposed = xt::zeros<std::uint8_t>({6, 4});
    CHECK_THROWS_MATCHES(image.with_mask("ground_truth", wandb::ImageMask(transposed)), wandb::ValidationError,
                         Message(R"(wandb::Image: mask "ground_truth" has shape (6, 4) but the image has shape (4, 6))"));
    CHECK(image.masks().size() == 1);  // a rejected layer is not added
}

TEST_CASE("Image rejects duplicate box keys and non-UTF-8 captions", "[image][errors]") {
    auto image = wandb::Image(xt::xtensor<std::uint8_t, 2>{{1, 2}});
    image.with_boxes("pred", wandb::BoundingBoxes2D({{wandb::BoxCorners{0, 1, 0, 1}, 0}}));
    CHECK_THROWS_MATCHES(image.with_boxes("pred", wandb::BoundingBoxes2D({})), wandb::ValidationError,
                         Message(R"(wandb::Image: duplicate boxes key "pred")"));
    CHECK_THROWS_MATCHES(image.with_caption("abc\xC3"), wandb::ValidationError,
                         Message("wandb::Image: caption is not valid UTF-8 (byte 0xc3 at offset 3)"));
}

TEST_CASE("The class set merges box labels, then mask labels, then classes; later names win in place",
          "[image][classes]") {
    auto image = wandb::Image(xt::xtensor<std::uint8_t, 2>{{0, 1}})
                     .with_boxes("b", wandb::BoundingBoxes2D({{wandb::BoxCorners{0, 1, 0, 1}, 5}},
                                                             wandb::ClassLabels{{5, "box5"}, {1, "b1"}}))
                     .with_mask("m", wandb::ImageMask(xt::xtensor<std::uint8_t, 2>{{0, 1}},
                                                     wandb::ClassLabels{{0, "m0"}, {1, "m1"}}))
                     .with_classes(wandb::Classes({{7, "c7"}, {0, "c0"}}));
    const std::vector<wandb::ClassInfo> expected = {{1, "m1"}, {5, "box5"}, {0, "c0"}, {7, "c7"}};
    CHECK(image.class_set() == expected);
    CHECK(wandb::Image(xt::xtensor<std::uint8_t, 2>{{0}}).class_set().empty());
}

TEST_CASE("Image reads png, jpg and bmp files and takes the format from the extension", "[image][file]") {
    TempDir dir;
    wandb_test::write_bytes(dir / "photo.png", wandb_test::make_png(3, 2, 8, 2, std::vector<std::uint8_t>(18, 40)));
    const wandb::Image png(dir / "photo.png");
    CHECK(png.format() == "png");
    CHECK(png.width() == 3);
    CHECK(png.height() == 2);
    CHECK(png.pixels() == nullptr);
    CHECK(*png.file_bytes() == wandb_test::read_bytes(dir / "photo.png"));
    std::filesystem::copy_file(dir / "photo.png", dir / "UPPER.PNG");
    CHECK(wandb::Image(dir / "UPPER.PNG").format() == "PNG");  // as written, like the SDK

    std::vector<std::uint8_t> rgb(5 * 4 * 3, 128);
    auto sink = [](void* ctx, void* data, int size) {
        auto* v = static_cast<std::vector<std::uint8_t>*>(ctx);
        v->insert(v->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    };
    std::vector<std::uint8_t> jpg, bmp;
    stbi_write_jpg_to_func(sink, &jpg, 5, 4, 3, rgb.data(), 90);
    stbi_write_bmp_to_func(sink, &bmp, 5, 4, 3, rgb.data());
    wandb_test::write_bytes(dir / "a.jpeg", jpg);
    wandb_test::write_bytes(dir / "b.bmp", bmp);
    const wandb::Image jpeg(dir / "a.jpeg");
    CHECK(jpeg.format() == "jpeg");
    CHECK(jpeg.width() == 5);
    CHECK(jpeg.height() == 4);
    CHECK(wandb::Image(dir / "b.bmp").format() == "bmp");
}

TEST_CASE("Image rejects files with another extension, mismatched content, or no image", "[image][file][errors]") {
    TempDir dir;
    const std::string base = dir.path().string();
    wandb_test::write_text(dir / "anim.gif", "GIF89a");
    CHECK_THROWS_MATCHES(wandb::Image(dir / "anim.gif"), wandb::ValidationError,
                         Message("wandb::Image: image file " + base + "/anim.gif must have extension .png, .jpg, .jpeg or .bmp"));
    wandb_test::write_bytes(dir / "fake.jpg", wandb_test::make_gray_png(1, 1, {0}));
    CHECK_THROWS_MATCHES(wandb::Image(dir / "fake.jpg"), wandb::ValidationError,
                         Message("wandb::Image: image file " + base + "/fake.jpg holds a PNG image; its extension says jpg"));
    wandb_test::write_text(dir / "notes.png", "hello");
    CHECK_THROWS_MATCHES(wandb::Image(dir / "notes.png"), wandb::ValidationError,
                         Message("wandb::Image: image file " + base + "/notes.png is not a PNG, JPEG or BMP image"));
    CHECK_THROWS_MATCHES(wandb::Image(dir / "missing.png"), wandb::ValidationError,
                         Message("wandb::Image: cannot read image file " + base + "/missing.png: No such file or directory"));
    wandb_test::write_bytes(dir / "wide.png", wandb_test::make_png(65501, 1, 8, 0, std::vector<std::uint8_t>(65501, 0)));
    CHECK_THROWS_MATCHES(wandb::Image(dir / "wide.png"), wandb::ValidationError,
                         Message("wandb::Image: image file " + base + "/wide.png is 65501x1 pixels; sides must be 1..65500"));
}

}  // namespace test_image
