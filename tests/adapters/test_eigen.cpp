// Tests for eigen.hpp: masks and grayscale images from matrices of both storage orders, blocks,
// maps with inner and outer strides and expressions, decoded and compared with the coefficients
// (m(r, c)); the copy made by default, none with keep_alive (data pointers, allocation counts);
// the exact error for every refusal.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include <wandb/eigen.hpp>

#include "adapters/adapter_support.hpp"
#include "adapters/allocation_counter.hpp"

using Catch::Message;
using wandb_test::decoded_image;
using wandb_test::decoded_mask;

namespace {

template <class Scalar>
using RowMajor = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// m's coefficients in row-major order, read with m(r, c).
template <class M>
std::vector<std::uint8_t> coefficients(const M& m) {
    std::vector<std::uint8_t> out;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) out.push_back(std::uint8_t(m(r, c)));
    return out;
}

/// A rows x cols matrix of labels (r * 3 + c * 5) % 256.
template <class M>
M labels(Eigen::Index rows, Eigen::Index cols) {
    M m(rows, cols);
    for (Eigen::Index r = 0; r < rows; ++r)
        for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = typename M::Scalar((r * 3 + c * 5) % 256);
    return m;
}

}  // namespace

TEST_CASE("mask_from_eigen copies any storage order, block, map or expression once, row by row", "[eigen][mask]") {
    const Eigen::MatrixXi col_major = labels<Eigen::MatrixXi>(12, 17);  // Eigen's default: column-major
    const RowMajor<std::uint16_t> row_major = labels<RowMajor<std::uint16_t>>(12, 17);
    CHECK(decoded_mask(wandb::mask_from_eigen(col_major)).pixels == coefficients(col_major));
    CHECK(decoded_mask(wandb::mask_from_eigen(row_major)).pixels == coefficients(row_major));
    const auto block = col_major.block(2, 3, 7, 9);
    CHECK(decoded_mask(wandb::mask_from_eigen(block)).pixels == coefficients(block));
    const auto row_block = row_major.block(1, 4, 10, 5);
    CHECK(decoded_mask(wandb::mask_from_eigen(row_block)).pixels == coefficients(row_block));
    // Every other column of every third row, as a Map with both strides.
    std::vector<std::int64_t> buffer(12 * 17);
    for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = std::int64_t(i % 200);
    const Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                     Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>
        strided(buffer.data(), 4, 8, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(3 * 17, 2));
    CHECK(decoded_mask(wandb::mask_from_eigen(strided)).pixels == coefficients(strided));
    const Eigen::MatrixXi transposed = col_major.transpose();
    CHECK(decoded_mask(wandb::mask_from_eigen(col_major.transpose())).pixels == coefficients(transposed));
    const auto expression = col_major.unaryExpr([](int v) { return v % 200 + 1; });  // no memory of its own
    const Eigen::MatrixXi evaluated = expression;
    CHECK(decoded_mask(wandb::mask_from_eigen(expression)).pixels == coefficients(evaluated));
    const auto mask = wandb::mask_from_eigen(col_major);
    CHECK(mask.view().data != static_cast<const void*>(col_major.data()));  // copied
    CHECK(mask.view().type == wandb::PixelType::u8);                         // narrowed to 8 bits
}

TEST_CASE("mask_from_eigen with keep_alive reads the matrix in place", "[eigen][mask]") {
    auto owned = std::make_shared<Eigen::MatrixXi>(labels<Eigen::MatrixXi>(12, 17));
    const auto block = owned->block(2, 3, 7, 9);
    const std::vector<std::uint8_t> expected = coefficients(block);
    const auto mask = wandb::mask_from_eigen(block, owned);
    CHECK(mask.view().data == static_cast<const void*>(block.data()));
    CHECK(mask.view().row_stride == std::ptrdiff_t(sizeof(int)));                 // column-major: rows are adjacent
    CHECK(mask.view().column_stride == std::ptrdiff_t(12 * sizeof(int)));         // columns an outer stride apart
    owned.reset();  // the mask holds the matrix
    CHECK(decoded_mask(mask).pixels == expected);
}

TEST_CASE("a 1024 x 1024 column-major mask with keep_alive is encoded with no copy; without, with one", "[eigen][zero_copy]") {
    if (!wandb_test::CountLargeAllocations::available())
        WARN("allocations are not counted in this build (AddressSanitizer owns operator new); the pointer checks still run");
    auto owned = std::make_shared<Eigen::MatrixXi>(1024, 1024);
    for (Eigen::Index c = 0; c < 1024; ++c)
        for (Eigen::Index r = 0; r < 1024; ++r) (*owned)(r, c) = int((r / 128) * 8 + c / 128);
    const std::size_t threshold = 1024 * 1024 / 2;
    {
        const wandb_test::CountLargeAllocations large(threshold);
        const auto encoded = wandb::detail::encode_mask(wandb::mask_from_eigen(*owned, owned));
        INFO("largest allocation " << large.largest() << " bytes");
        CHECK((large.count() == 0 || !large.available()));
        CHECK(wandb_test::decode(*encoded.bytes).pixels == coefficients(*owned));
    }
    const wandb_test::CountLargeAllocations large(threshold);
    const auto copied = wandb::mask_from_eigen(*owned);
    CHECK((large.count() == 1 || !large.available()));  // the narrowed copy: one byte per label
    CHECK((large.largest() == 1024 * 1024 || !large.available()));
}

TEST_CASE("image_from_eigen converts float matrices by the SDK's rule and copies uint8 ones once", "[eigen][image]") {
    Eigen::MatrixXf unit(9, 11);
    for (Eigen::Index r = 0; r < 9; ++r)
        for (Eigen::Index c = 0; c < 11; ++c) unit(r, c) = float((r * 11 + c) % 100) / 99.0f;
    std::vector<std::uint8_t> expected;
    for (Eigen::Index r = 0; r < 9; ++r)
        for (Eigen::Index c = 0; c < 11; ++c) expected.push_back(std::uint8_t(unit(r, c) * 255.0f));
    const auto decoded = decoded_image(wandb::image_from_eigen(unit));
    CHECK(decoded.channels == 1);
    CHECK(decoded.pixels == expected);

    const auto gray = labels<Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>>(9, 11);
    const auto copied = wandb::image_from_eigen(gray);
    CHECK(copied.pixel_view()->data != static_cast<const void*>(gray.data()));
    CHECK(decoded_image(copied).pixels == coefficients(gray));
    const auto in_place = wandb::image_from_eigen(gray, wandb::detail::borrowed_for_this_call(gray.data()));
    CHECK(in_place.pixel_view()->data == static_cast<const void*>(gray.data()));
    CHECK(decoded_image(in_place).pixels == coefficients(gray));
}

TEST_CASE("mask_from_eigen names the first bad label in row-major order, whatever the storage order", "[eigen][errors]") {
    Eigen::MatrixXi m = Eigen::MatrixXi::Zero(6, 6);
    m(3, 0) = 300;  // first in column-major order
    m(0, 4) = -2;   // first in row-major order
    CHECK_THROWS_MATCHES(wandb::mask_from_eigen(m), wandb::ValidationError,
                         Message("wandb::mask_from_eigen: mask value -2 at row 0, column 4 is outside 0..255"));
    auto owned = std::make_shared<Eigen::MatrixXi>(m);
    CHECK_THROWS_MATCHES(wandb::mask_from_eigen(*owned, owned), wandb::ValidationError,
                         Message("wandb::mask_from_eigen: mask value -2 at row 0, column 4 is outside 0..255"));
}

TEST_CASE("mask_from_eigen and image_from_eigen refuse empty matrices, NaN and a null keep_alive", "[eigen][errors]") {
    CHECK_THROWS_MATCHES(wandb::mask_from_eigen(Eigen::MatrixXi(0, 3)), wandb::ValidationError,
                         Message("wandb::mask_from_eigen: mask is empty, shape (0, 3)"));
    CHECK_THROWS_MATCHES(wandb::image_from_eigen(Eigen::MatrixXf(2, 0)), wandb::ValidationError,
                         Message("wandb::image_from_eigen: image is empty, shape (2, 0)"));
    const Eigen::MatrixXi m = Eigen::MatrixXi::Zero(2, 2);
    CHECK_THROWS_MATCHES(wandb::mask_from_eigen(m, nullptr), wandb::ValidationError,
                         Message("wandb::mask_from_eigen: keep_alive is null; pass what owns the matrix"));
    CHECK_THROWS_MATCHES(wandb::image_from_eigen(m, nullptr), wandb::ValidationError,
                         Message("wandb::image_from_eigen: keep_alive is null; pass what owns the matrix"));
    Eigen::MatrixXd nan = Eigen::MatrixXd::Zero(3, 4);
    nan(2, 1) = std::nan("");
    CHECK_THROWS_MATCHES(wandb::image_from_eigen(nan), wandb::ValidationError,
                         Message("wandb::image_from_eigen: pixel value nan at row 2, column 1 is not finite"));
    CHECK_THROWS_MATCHES(wandb::mask_from_eigen(m, wandb::ClassLabels{{1, ""}}), wandb::ValidationError,
                         Message("wandb::mask_from_eigen: class label 1 name is empty"));
}
