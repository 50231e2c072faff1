// Tests for opencv.hpp: masks and images from cv::Mat of every accepted depth, full and ROI,
// decoded and compared with the Mat's own values (read by OpenCV), read in place (data pointers,
// no large allocation), kept alive after the Mat is gone, and the exact error for every refusal.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include <wandb/opencv.hpp>

#include "adapters/adapter_support.hpp"
#include "adapters/allocation_counter.hpp"

using Catch::Message;
using wandb_test::Bytes;
using wandb_test::decoded_image;
using wandb_test::decoded_mask;

namespace {

/// A rows x cols Mat of `type` with values from `value(r, c, k)` (saturated by OpenCV).
template <class F>
cv::Mat filled(int rows, int cols, int type, F value) {
    cv::Mat m(rows, cols, type);
    const int ch = m.channels();
    cv::Mat as_double(rows, cols, CV_64FC(ch));
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            for (int k = 0; k < ch; ++k) as_double.ptr<double>(r)[c * ch + k] = value(r, c, k);
    as_double.convertTo(m, type);
    return m;
}

/// The Mat's values as int, row-major, converted by OpenCV (independently of the library).
std::vector<std::uint8_t> values_of(const cv::Mat& m) {
    cv::Mat as_int;
    m.convertTo(as_int, CV_32S);
    std::vector<std::uint8_t> out;
    for (int r = 0; r < as_int.rows; ++r)
        for (int c = 0; c < as_int.cols * as_int.channels(); ++c) out.push_back(std::uint8_t(as_int.ptr<int>(r)[c]));
    return out;
}

const cv::Rect roi_rect(3, 5, 30, 20);  // x, y, width, height: rows 5..24, columns 3..32 of a 40 x 50 Mat

}  // namespace

TEST_CASE("mask_from_mat reads every integer depth in place, whole or as an ROI", "[opencv][mask]") {
    for (const int depth : {CV_8U, CV_8S, CV_16U, CV_16S, CV_32S}) {
        const int top = depth == CV_8S ? 127 : 255;
        Bytes rng(std::uint32_t(depth + 7));
        const cv::Mat m = filled(40, 50, CV_MAKETYPE(depth, 1), [&](int, int, int) { return double(rng.below(top + 1)); });
        for (const cv::Mat& source : {m, m(roi_rect)}) {
            INFO("type " << cv::typeToString(source.type()) << (source.isContinuous() ? ", whole" : ", ROI"));
            const auto mask = wandb::mask_from_mat(source);
            CHECK(mask.view().data == source.data);  // the Mat's own memory, not a copy
            CHECK(mask.view().row_stride == std::ptrdiff_t(source.step[0]));
            CHECK(mask.height() == std::size_t(source.rows));
            CHECK(mask.width() == std::size_t(source.cols));
            const auto decoded = decoded_mask(mask);
            CHECK(decoded.channels == 1);
            CHECK(decoded.pixels == values_of(source));
            CHECK(mask.mask_data() == xt::adapt(values_of(source), std::array<std::size_t, 2>{mask.height(), mask.width()}));
        }
    }
}

TEST_CASE("mask_from_mat names the classes present and validates the labels given", "[opencv][mask]") {
    const cv::Mat m = (cv::Mat_<std::int32_t>(2, 3) << 0, 4, 4, 9, 0, 4);
    CHECK(wandb::mask_from_mat(m).class_labels() ==
          wandb::ClassLabels{{0, "class_0"}, {4, "class_4"}, {9, "class_9"}});
    CHECK(wandb::mask_from_mat(m, wandb::ClassLabels{{4, "car"}}).class_labels() == wandb::ClassLabels{{4, "car"}});
    CHECK_THROWS_MATCHES(wandb::mask_from_mat(m, wandb::ClassLabels{{300, "x"}}), wandb::ValidationError,
                         Message("wandb::mask_from_mat: class label id 300 is outside 0..255"));
}

TEST_CASE("mask_from_mat keeps the pixels alive after the caller's Mat is gone", "[opencv][mask]") {
    std::optional<wandb::ImageMask<std::uint8_t>> mask;
    std::vector<std::uint8_t> expected;
    {
        const cv::Mat m = filled(40, 50, CV_16UC1, [](int r, int c, int) { return double((r * 7 + c) % 256); });
        expected = values_of(m(roi_rect));
        mask.emplace(wandb::mask_from_mat(m(roi_rect)));
    }
    CHECK(decoded_mask(*mask).pixels == expected);
}

TEST_CASE("mask_from_mat copies a Mat over memory it does not own, once", "[opencv][mask]") {
    std::vector<std::int32_t> buffer(6 * 4);
    for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = std::int32_t(i * 10);
    const cv::Mat m(6, 4, CV_32SC1, buffer.data());  // no reference count: nothing could keep `buffer` alive
    const auto mask = wandb::mask_from_mat(m);
    CHECK(mask.view().data != static_cast<const void*>(buffer.data()));
    const std::vector<std::uint8_t> expected = values_of(m);
    std::fill(buffer.begin(), buffer.end(), 0);
    CHECK(decoded_mask(mask).pixels == expected);
}

TEST_CASE("a 1024 x 1024 mask and image from Mat ROIs are encoded with no copy of their pixels", "[opencv][zero_copy]") {
    if (!wandb_test::CountLargeAllocations::available())
        WARN("allocations are not counted in this build (AddressSanitizer owns operator new); the pointer checks still run");
    const cv::Mat labels = filled(1100, 1100, CV_32SC1, [](int r, int c, int) { return double((r / 128) * 8 + c / 128); });
    const cv::Mat pixels = filled(1100, 1100, CV_8UC3, [](int r, int c, int k) {
        return double(k == 0 ? r % 256 : k == 1 ? c % 256 : (r + c) % 256);
    });
    const cv::Rect rect(30, 40, 1024, 1024);
    const std::size_t threshold = 1024 * 1024 / 2;  // half the mask's 8-bit pixels; the int32 labels are 4 MiB
    {
        const wandb_test::CountLargeAllocations large(threshold);
        const auto image = wandb::image_from_mat(pixels(rect)).with_mask("labels", wandb::mask_from_mat(labels(rect)));
        const auto encoded = wandb::detail::encode_all(image);
        INFO("largest allocation " << large.largest() << " bytes");
        CHECK((large.count() == 0 || !large.available()));
        CHECK(encoded.masks.size() == 1);
    }
    // The counter sees copies: the xtensor route copies the labels into the mask it owns.
    const cv::Mat roi = labels(rect).clone();
    const wandb_test::CountLargeAllocations large(threshold);
    const wandb::ImageMask copied(xt::adapt(roi.ptr<std::int32_t>(), 1024 * 1024, xt::no_ownership(),
                                            std::array<std::size_t, 2>{1024, 1024}));
    CHECK((large.count() == 1 || !large.available()));
}

TEST_CASE("image_from_mat reads 8-bit Mats in place and reorders BGR to RGB as it encodes", "[opencv][image]") {
    Bytes rng(11);
    for (const int channels : {1, 3, 4}) {
        const cv::Mat m = filled(40, 50, CV_8UC(channels), [&](int, int, int) { return double(rng.below(256)); });
        for (const auto order : {wandb::ChannelOrder::bgr, wandb::ChannelOrder::rgb}) {
            const cv::Mat roi = m(roi_rect);
            INFO(channels << " channels, order " << (order == wandb::ChannelOrder::bgr ? "bgr" : "rgb"));
            const auto image = wandb::image_from_mat(roi, order);
            REQUIRE(image.pixel_view() != nullptr);
            CHECK(image.pixel_view()->data == roi.data);
            const auto decoded = decoded_image(image);
            REQUIRE(decoded.channels == channels);
            CHECK(decoded.width == roi.cols);
            CHECK(decoded.height == roi.rows);
            std::vector<std::uint8_t> expected;
            for (int r = 0; r < roi.rows; ++r)
                for (int c = 0; c < roi.cols; ++c)
                    for (int k = 0; k < channels; ++k) {
                        const int from = order == wandb::ChannelOrder::bgr && channels >= 3 && k < 3 ? 2 - k : k;
                        expected.push_back(roi.ptr<std::uint8_t>(r)[c * channels + from]);
                    }
            CHECK(decoded.pixels == expected);
        }
    }
}

TEST_CASE("image_from_mat converts float Mats by the SDK's rule, from the Mat's memory", "[opencv][image]") {
    Bytes rng(5);
    SECTION("CV_32FC3 in [0, 1], BGR: x * 255, truncated, in float") {
        const cv::Mat m = filled(40, 50, CV_32FC3, [&](int, int, int) { return rng.below(1001) / 1000.0; });
        const cv::Mat roi = m(roi_rect);
        const auto decoded = decoded_image(wandb::image_from_mat(roi));
        std::vector<std::uint8_t> expected;
        for (int r = 0; r < roi.rows; ++r)
            for (int c = 0; c < roi.cols; ++c)
                for (int k = 0; k < 3; ++k) expected.push_back(std::uint8_t(roi.at<cv::Vec3f>(r, c)[2 - k] * 255.0f));
        CHECK(decoded.pixels == expected);
    }
    SECTION("CV_32FC1 in [-1, 1]: 127.5 * (x + 1), in float") {
        const cv::Mat m = filled(40, 50, CV_32FC1, [&](int, int, int) { return rng.below(2001) / 1000.0 - 1; });
        const auto decoded = decoded_image(wandb::image_from_mat(m));
        std::vector<std::uint8_t> expected;
        for (int r = 0; r < m.rows; ++r)
            for (int c = 0; c < m.cols; ++c) expected.push_back(std::uint8_t(127.5f * (m.at<float>(r, c) + 1.0f)));
        CHECK(decoded.pixels == expected);
    }
    SECTION("CV_64FC4 beyond [-1, 1]: clipped to [0, 255], truncated; BGRA to RGBA") {
        const cv::Mat m = filled(40, 50, CV_64FC4, [&](int, int, int) { return rng.below(4001) / 10.0 - 50; });
        const cv::Mat roi = m(roi_rect);
        const auto decoded = decoded_image(wandb::image_from_mat(roi));
        std::vector<std::uint8_t> expected;
        for (int r = 0; r < roi.rows; ++r)
            for (int c = 0; c < roi.cols; ++c)
                for (int k = 0; k < 4; ++k)
                    expected.push_back(std::uint8_t(std::min(std::max(roi.at<cv::Vec4d>(r, c)[k < 3 ? 2 - k : 3], 0.0), 255.0)));
        CHECK(decoded.pixels == expected);
    }
}

TEST_CASE("image_from_mat writes a jpg of an ROI as of the same pixels packed", "[opencv][image]") {
    Bytes rng(3);
    const cv::Mat m = filled(40, 50, CV_8UC3, [&](int, int, int) { return double(rng.below(256)); });
    const cv::Mat roi = m(roi_rect);
    xt::xtensor<std::uint8_t, 3> packed(std::array<std::size_t, 3>{20, 30, 3});
    for (int r = 0; r < 20; ++r)
        for (int c = 0; c < 30; ++c)
            for (int k = 0; k < 3; ++k) packed(r, c, k) = roi.at<cv::Vec3b>(r, c)[2 - k];
    const auto from_mat = wandb::detail::encode_image(wandb::image_from_mat(roi, wandb::ChannelOrder::bgr, wandb::ImageFormat::jpg));
    const auto from_tensor = wandb::detail::encode_image(wandb::Image(packed, wandb::ImageFormat::jpg));
    CHECK(*from_mat.bytes == *from_tensor.bytes);
    CHECK(from_mat.extension == ".jpg");
}

TEST_CASE("mask_from_mat and image_from_mat refuse what they cannot log, with the exact reason", "[opencv][errors]") {
    CHECK_THROWS_MATCHES(wandb::mask_from_mat(cv::Mat()), wandb::ValidationError,
                         Message("wandb::mask_from_mat: the Mat is empty"));
    CHECK_THROWS_MATCHES(wandb::image_from_mat(cv::Mat()), wandb::ValidationError,
                         Message("wandb::image_from_mat: the Mat is empty"));
    CHECK_THROWS_MATCHES(wandb::mask_from_mat(cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(0))), wandb::ValidationError,
                         Message("wandb::mask_from_mat: a mask has 1 channel, but the Mat is CV_8UC3"));
    for (const int type : {CV_32FC1, CV_64FC1}) {
        CHECK_THROWS_MATCHES(wandb::mask_from_mat(cv::Mat(4, 4, type, cv::Scalar::all(0))), wandb::ValidationError,
                             Message("wandb::mask_from_mat: the Mat is " + cv::typeToString(type) +
                                     "; a mask is CV_8UC1, CV_16UC1 or CV_32SC1 (or CV_8SC1, CV_16SC1); convert a "
                                     "float mask with convertTo(out, CV_8U), which rounds"));
    }
    const int sizes[] = {2, 3, 4};
    CHECK_THROWS_MATCHES(wandb::mask_from_mat(cv::Mat(3, sizes, CV_8UC1, cv::Scalar::all(0))), wandb::ValidationError,
                         Message("wandb::mask_from_mat: the Mat has 3 dimensions; pixels are a 2-D Mat (rows x cols, "
                                 "channels per element)"));
    CHECK_THROWS_MATCHES(wandb::image_from_mat(cv::Mat(4, 4, CV_8UC2, cv::Scalar::all(0))), wandb::ValidationError,
                         Message("wandb::image_from_mat: an image has 1, 3 or 4 channels, but the Mat is CV_8UC2"));
    CHECK_THROWS_MATCHES(wandb::image_from_mat(cv::Mat(4, 4, CV_16UC1, cv::Scalar::all(0))), wandb::ValidationError,
                         Message("wandb::image_from_mat: the Mat is CV_16UC1; an image is CV_8U, CV_32F or CV_64F with "
                                 "1, 3 or 4 channels; convert 16-bit pixels with convertTo(out, CV_8U, 1.0 / 257)"));
}

TEST_CASE("mask_from_mat names the first label outside 0..255 by value, row and column", "[opencv][errors]") {
    struct Case {
        int depth;
        double bad;
        const char* text;
    };
    for (const Case& bad : {Case{CV_8S, -5, "-5"}, Case{CV_16U, 256, "256"}, Case{CV_16S, -1, "-1"},
                            Case{CV_32S, 300, "300"}}) {
        cv::Mat m(40, 50, CV_MAKETYPE(bad.depth, 1), cv::Scalar::all(1));
        const cv::Mat roi = m(roi_rect);
        roi(cv::Rect(0, 3, 1, 1)).setTo(cv::Scalar::all(bad.bad));  // row 3, column 0 of the ROI
        roi(cv::Rect(2, 7, 1, 1)).setTo(cv::Scalar::all(bad.bad));  // row 7, column 2
        m(cv::Rect(0, 0, 1, 1)).setTo(cv::Scalar::all(bad.bad));    // outside the ROI: not read
        INFO(cv::typeToString(roi.type()));
        CHECK_THROWS_MATCHES(wandb::mask_from_mat(roi), wandb::ValidationError,
                             Message(std::string("wandb::mask_from_mat: mask value ") + bad.text +
                                     " at row 3, column 0 is outside 0..255"));
    }
}

TEST_CASE("image_from_mat names a NaN by row, column and the Mat's own channel", "[opencv][errors]") {
    cv::Mat m(4, 5, CV_32FC3, cv::Scalar::all(0.5));
    m.at<cv::Vec3f>(1, 2)[0] = std::nanf("");  // blue, in OpenCV's order
    CHECK_THROWS_MATCHES(wandb::image_from_mat(m), wandb::ValidationError,
                         Message("wandb::image_from_mat: pixel value nan at row 1, column 2, channel 0 is not finite"));
    cv::Mat gray(4, 5, CV_32FC1, cv::Scalar::all(300.5));
    CHECK_THROWS_MATCHES(wandb::image_from_mat(gray, wandb::ChannelOrder::bgr, wandb::ImageFormat::png, wandb::Normalize::off),
                         wandb::ValidationError,
                         Message("wandb::image_from_mat: pixel value 300.5 at row 0, column 0 is outside 0..255 and "
                                 "normalization is off"));
}
