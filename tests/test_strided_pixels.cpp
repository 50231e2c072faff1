// Tests for strided_pixels.hpp and the borrowed-source constructors of ImageMask and Image:
// labels and pixels in memory the library does not own (negative, planar and gathered strides,
// reordered channels, every element type), validated and encoded where they are (data pointers
// through the view, the rows the encoder reads), decoded and compared with the source's values;
// mask_data()/pixels() made on request; the exact error for every refusal.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

#include <wandb/internal/media_encoding.hpp>
#include <wandb/wandb.hpp>
#include <wandb/internal/strided_rows.hpp>

#include "support/test_support.hpp"

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_strided_pixels {

using Catch::Message;

namespace {

/// n elements of T in memory of their own (std::vector<bool> has no data()).
template <class T>
struct Buffer {
    explicit Buffer(std::size_t n) : size(n), elements(new T[n]) {}
    T* data() { return elements.get(); }
    T& operator[](std::size_t i) { return elements[i]; }
    T* begin() { return data(); }
    T* end() { return data() + size; }
    std::size_t size;
    std::unique_ptr<T[]> elements;
};

/// A shared buffer of n elements v(i), which is also the views' keep-alive handle.
template <class T, class F>
std::shared_ptr<Buffer<T>> buffer_of(std::size_t n, F v) {
    auto b = std::make_shared<Buffer<T>>(n);
    for (std::size_t i = 0; i < n; ++i) (*b)[i] = v(i);
    return b;
}

std::vector<std::uint8_t> decoded_mask(const wandb::ImageMask<std::uint8_t>& mask) {
    return wandb_test::decode(*wandb::detail::encode_mask(mask).bytes).pixels;
}

}  // namespace

TEST_CASE("ImageMask reads int16 labels stored bottom-up, every other column, where they are", "[strided]") {
    // A 5 x 8 buffer holding a 5 x 4 mask upside down (negative row stride), every other column.
    const auto b = buffer_of<std::int16_t>(5 * 8, [](std::size_t i) { return std::int16_t(i % 200); });
    const wandb::StridedPixels view = wandb::strided_pixels(b->data() + 4 * 8, 5, 4, 1, -8, 2, 0, b);
    const wandb::ImageMask mask(view);
    static_assert(std::is_same_v<decltype(mask), const wandb::ImageMask<std::uint8_t>>);
    CHECK(mask.view().data == b->data() + 4 * 8);
    std::vector<std::uint8_t> expected;
    for (std::size_t r = 0; r < 5; ++r)
        for (std::size_t c = 0; c < 4; ++c) expected.push_back(std::uint8_t((*b)[(4 - r) * 8 + 2 * c]));
    CHECK(decoded_mask(mask) == expected);
    CHECK(mask.mask_data() == xt::adapt(expected, std::array<std::size_t, 2>{5, 4}));  // made on request
    CHECK(&mask.mask_data() == &mask.mask_data());                                    // once
    CHECK(mask.class_labels().size() == std::set<std::uint8_t>(expected.begin(), expected.end()).size());
}

TEMPLATE_TEST_CASE("ImageMask reads every integer element type through a view", "[strided]", std::int8_t, std::uint16_t,
                   std::int32_t, std::uint32_t, std::int64_t, std::uint64_t, bool) {
    const auto b = buffer_of<TestType>(6 * 7, [](std::size_t i) { return TestType(i % 2 ? (i % 100) : 1); });
    const wandb::ImageMask mask(wandb::strided_pixels(b->data(), 6, 7, 1, 7, 1, 0, b));
    std::vector<std::uint8_t> expected;
    for (const TestType v : *b) expected.push_back(std::uint8_t(v));
    CHECK(decoded_mask(mask) == expected);
}

TEST_CASE("The encoder reads packed 8-bit rows in place and converts other rows one at a time", "[strided]") {
    const auto b = buffer_of<std::uint8_t>(10 * 16, [](std::size_t i) { return std::uint8_t(i); });
    const wandb::StridedPixels roi = wandb::strided_pixels(b->data() + 16 + 2, 8, 12, 1, 16, 1, 0, b);  // an ROI
    wandb::detail::StridedRows rows(roi);
    CHECK(rows.reads_in_place());
    for (std::size_t y = 0; y < 8; ++y) CHECK(rows.row(y) == b->data() + 16 + 2 + y * 16);

    const auto wide = buffer_of<std::int32_t>(8 * 12, [](std::size_t i) { return std::int32_t(i % 256); });
    wandb::detail::StridedRows converted(wandb::strided_pixels(wide->data(), 8, 12, 1, 12, 1, 0, wide));
    CHECK_FALSE(converted.reads_in_place());
    const std::uint8_t* row3 = converted.row(3);
    const std::uint8_t* row4 = converted.row(4);
    CHECK(row3 != row4);                       // a row and the one above it stay valid together
    CHECK(converted.row(3) == row3);           // still held
    for (std::size_t x = 0; x < 12; ++x) CHECK(row4[x] == std::uint8_t((4 * 12 + x) % 256));
}

TEST_CASE("Image reads planar and reordered 8-bit pixels through a view, with no copy", "[strided]") {
    // 3 planes of 4 x 5 (C x H x W), logged as RGB from planes 2, 1, 0 (as BGR planes would be).
    const auto b = buffer_of<std::uint8_t>(3 * 4 * 5, [](std::size_t i) { return std::uint8_t(i * 3 + 2); });
    wandb::StridedPixels view = wandb::strided_pixels(b->data(), 4, 5, 3, 5, 1, 20, b);
    view.channel_order = {{2, 1, 0, 3}};
    const wandb::Image image(view);
    REQUIRE(image.pixel_view() != nullptr);
    CHECK(image.pixel_view()->data == b->data());
    std::vector<std::uint8_t> expected;
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 5; ++c)
            for (std::size_t k = 0; k < 3; ++k) expected.push_back((*b)[(2 - k) * 20 + r * 5 + c]);
    const auto decoded = wandb_test::decode(*wandb::detail::encode_image(image).bytes);
    CHECK(decoded.channels == 3);
    CHECK(decoded.pixels == expected);
    CHECK(std::vector<std::uint8_t>(image.pixels()->begin(), image.pixels()->end()) == expected);  // made on request
    // jpg needs one packed buffer: the same bytes as from the packed pixels.
    const wandb::Image jpg(view, wandb::ImageFormat::jpg);
    const xt::xtensor<std::uint8_t, 3> packed = xt::adapt(expected, std::array<std::size_t, 3>{4, 5, 3});
    CHECK(*wandb::detail::encode_image(jpg).bytes == *wandb::detail::encode_image(wandb::Image(packed, wandb::ImageFormat::jpg)).bytes);
}

TEST_CASE("Image applies the SDK's rule to views: 0/1 uint8 scaled, other types converted", "[strided]") {
    const auto ones = buffer_of<std::uint8_t>(6, [](std::size_t i) { return std::uint8_t(i % 2); });
    const wandb::StridedPixels view = wandb::strided_pixels(ones->data(), 2, 3, 1, 3, 1, 0, ones);
    const wandb::Image scaled(view);
    CHECK(scaled.pixel_view()->data != ones->data());  // a conversion: 0 -> 0, 1 -> 255
    CHECK(*scaled.pixels() == xt::xtensor<std::uint8_t, 3>{{{0}, {255}, {0}}, {{255}, {0}, {255}}});
    const wandb::Image kept(view, wandb::ImageFormat::png, wandb::Normalize::off);
    CHECK(kept.pixel_view()->data == ones->data());
    const auto floats = buffer_of<float>(6, [](std::size_t i) { return float(i) / 5.0f; });
    const wandb::Image converted(wandb::strided_pixels(floats->data(), 2, 3, 1, 3, 1, 0, floats));
    CHECK(*converted.pixels() == xt::xtensor<std::uint8_t, 3>{{{0}, {51}, {102}}, {{153}, {204}, {255}}});
}

TEST_CASE("A wider ImageMask added to an Image is read through a view, not copied to 8 bits", "[strided]") {
    const xt::xtensor<std::int64_t, 2> labels = {{0, 1, 2}, {3, 4, 200}};
    const wandb::ImageMask wide(labels);
    const auto image = wandb::Image(xt::xtensor<std::uint8_t, 2>{{9, 9, 9}, {9, 9, 9}}).with_mask("m", wide);
    const auto& narrow = *image.masks()[0].second;
    CHECK(narrow.view().data == wide.mask_data().data());
    CHECK(narrow.view().type == wandb::PixelType::i64);
    CHECK(decoded_mask(narrow) == std::vector<std::uint8_t>{0, 1, 2, 3, 4, 200});
    CHECK(narrow.mask_data() == xt::xtensor<std::uint8_t, 2>{{0, 1, 2}, {3, 4, 200}});
}

TEST_CASE("ImageMask and Image refuse bad views with the exact reason", "[strided][errors]") {
    const auto b = buffer_of<std::int32_t>(16, [](std::size_t i) { return std::int32_t(i); });
    const auto good = wandb::strided_pixels(b->data(), 4, 4, 1, 4, 1, 0, b);
    auto with = [&](auto change) {
        wandb::StridedPixels v = good;
        change(v);
        return v;
    };
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.height = 0; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data is empty, shape (0, 4)"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.width = 65501; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data shape (4, 65501) has a side over 65500"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.data = nullptr; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data data is null"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.owner = nullptr; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data has no owner to keep its memory alive"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.channels = 3; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data has 3 channels; a mask has 1"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.type = wandb::PixelType::f32; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data must hold integers, got float32; round and convert a "
                                 "float mask to uint8 first"));
    CHECK_THROWS_MATCHES(wandb::ImageMask(with([](auto& v) { v.row_stride = 6; })), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data is not aligned to its 4-byte int32 elements (data, "
                                 "row_stride 6, column_stride 4, channel_stride 0)"));
    CHECK_THROWS_MATCHES(wandb::Image(with([](auto& v) { v.channels = 2; })), wandb::ValidationError,
                         Message("wandb::Image: pixel view has 2 channels; images have 1, 3 or 4"));
    CHECK_THROWS_MATCHES(wandb::Image(with([](auto& v) {
                             v.channels = 3;
                             v.channel_order = {{0, 4, 1, 3}};
                         })),
                         wandb::ValidationError, Message("wandb::Image: pixel view channel_order[1] is 4; channels are 0..3"));
    (*b)[9] = 256;  // row 2, column 1
    CHECK_THROWS_MATCHES(wandb::ImageMask(good), wandb::ValidationError,
                         Message("wandb::ImageMask: mask_data value 256 at row 2, column 1 is outside 0..255"));
    CHECK_THROWS_MATCHES(wandb::Image(good, wandb::ImageFormat::png, wandb::Normalize::off), wandb::ValidationError,
                         Message("wandb::Image: pixel value 256 at row 2, column 1 is outside 0..255 and "
                                 "normalization is off"));
}

}  // namespace test_strided_pixels
