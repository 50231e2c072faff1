// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Masks and grayscale images from dense Eigen matrices, maps and blocks, of either storage order
/// and any stride. Eigen has no reference count, so by default the values are copied once (masks
/// narrowed to 8 bits); with a `keep_alive` handle they are read where they are. Not included by
/// <wandb/wandb.hpp>; CMake target `wandb::imagemask_eigen`.

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "classes.hpp"
#include "error.hpp"
#include "image.hpp"
#include "image_mask.hpp"
#include "strided_pixels.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// True when Derived's coefficients are in memory (a Matrix, Array, Map, Ref or Block of one),
/// not computed by an expression.
template <class Derived>
inline constexpr bool eigen_direct_access = (int(Eigen::internal::traits<Derived>::Flags) & Eigen::DirectAccessBit) != 0;

/// A view of a dense Eigen object's rows x cols coefficients: the row and column strides follow
/// from its storage order (column-major by default) and its inner and outer strides.
template <class Derived>
StridedPixels eigen_view(const Eigen::DenseBase<Derived>& m, std::shared_ptr<const void> owner) {
    static_assert(eigen_direct_access<Derived>, "wandb: this Eigen expression has no memory of its own to read");
    const Derived& d = m.derived();
    const std::ptrdiff_t inner = d.innerStride(), outer = d.outerStride();
    return strided_pixels(d.data(), std::size_t(d.rows()), std::size_t(d.cols()), 1, Derived::IsRowMajor ? outer : inner,
                          Derived::IsRowMajor ? inner : outer, 0, std::move(owner));
}

/// A handle that keeps nothing alive, for a view used only during a call.
inline std::shared_ptr<const void> borrowed_for_this_call(const void* data) {
    return std::shared_ptr<const void>(data, [](const void*) {});
}

/// Refuses an empty matrix before its (null) data is looked at.
template <class Derived>
void check_eigen_size(const Eigen::DenseBase<Derived>& m, const Caller& caller) {
    if (m.rows() == 0 || m.cols() == 0)
        throw ValidationError(std::string(caller.api) + ": " + caller.input + " is empty, shape " +
                              shape_string(std::array<Eigen::Index, 2>{m.rows(), m.cols()}));
}

/// Calls f(view) with a view of m that is valid during the call: m's own memory, or an
/// evaluated row-major copy when m is an expression.
template <class Derived, class F>
decltype(auto) with_eigen_view(const Eigen::DenseBase<Derived>& m, F&& f) {
    if constexpr (eigen_direct_access<Derived>) {
        return f(eigen_view(m, borrowed_for_this_call(m.derived().data())));
    } else {
        using Scalar = typename Derived::Scalar;
        const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> evaluated = m;
        return f(eigen_view(evaluated, borrowed_for_this_call(evaluated.data())));
    }
}

}  // namespace detail

/// A mask from a dense Eigen matrix, map, block or expression of integer class ids, the C++
/// `wandb.ImageMask({"mask_data": m})`, copied once: validated where it is (0..255), then
/// narrowed into an 8-bit row-major buffer held by the mask, so `labels` may change or go away.
/// \param labels  rows x cols class ids of any integer scalar, either storage order, any stride.
/// \param class_labels  id -> name, ids 0..255; defaults to "class_<id>" for each id present.
/// \throws wandb::ValidationError  if it is empty, has a side over 65500, holds a value outside
///         0..255 (the value, row and column are named), or a label is bad.
template <class Derived>
ImageMask<std::uint8_t> mask_from_eigen(const Eigen::DenseBase<Derived>& labels,
                                        std::optional<ClassLabels> class_labels = std::nullopt) {
    static_assert(std::is_integral_v<typename Derived::Scalar>,
                  "wandb::mask_from_eigen: mask labels must be integers; convert a float matrix explicitly, "
                  "e.g. m.array().round().cast<std::uint8_t>()");
    const detail::Caller caller{"wandb::mask_from_eigen", "mask"};
    detail::check_eigen_size(labels, caller);
    return detail::with_eigen_view(labels, [&](const StridedPixels& view) {
        const ImageMask<std::uint8_t> checked(view, std::move(class_labels), caller);  // validated in place
        auto copy = std::make_shared<std::vector<std::uint8_t>>(view.height * view.width);
        detail::copy_view(view, copy->data());
        const std::uint8_t* data = copy->data();
        return ImageMask<std::uint8_t>(strided_pixels(data, view.height, view.width, 1, std::ptrdiff_t(view.width), 1, 0,
                                                      std::move(copy)),
                                       checked.class_labels(), caller);
    });
}

/// A mask read in place from a dense Eigen matrix, map or block, with no copy: validated and
/// later encoded from its memory. Eigen counts no references, so the caller says what keeps that
/// memory alive: `keep_alive` is held by the mask and its copies until the last is gone (e.g. the
/// shared_ptr owning the matrix; or, if you guarantee the matrix outlives every copy of the mask
/// and of images holding it until they are logged, a non-owning `std::shared_ptr<const void>(m.data(), [](const void*) {})`).
/// \throws wandb::ValidationError  as the copying overload, and if keep_alive is null.
template <class Derived>
ImageMask<std::uint8_t> mask_from_eigen(const Eigen::DenseBase<Derived>& labels, std::shared_ptr<const void> keep_alive,
                                        std::optional<ClassLabels> class_labels = std::nullopt) {
    static_assert(std::is_integral_v<typename Derived::Scalar>,
                  "wandb::mask_from_eigen: mask labels must be integers; convert a float matrix explicitly, "
                  "e.g. m.array().round().cast<std::uint8_t>()");
    static_assert(detail::eigen_direct_access<Derived>,
                  "wandb::mask_from_eigen: reading in place needs a Matrix, Map, Ref or Block with memory of its own; "
                  "for an expression use the overload without keep_alive, which evaluates and copies it");
    const detail::Caller caller{"wandb::mask_from_eigen", "mask"};
    detail::check_eigen_size(labels, caller);
    if (!keep_alive) throw ValidationError("wandb::mask_from_eigen: keep_alive is null; pass what owns the matrix");
    return ImageMask<std::uint8_t>(detail::eigen_view(labels, std::move(keep_alive)), std::move(class_labels), caller);
}

/// A grayscale image from a dense Eigen matrix, map, block or expression, the C++
/// `wandb.Image(m)`: float and other non-uint8 values are converted to 8 bits now by Normalize's
/// rule, straight from the matrix's memory; uint8 values are copied once into a buffer held by the
/// image (Eigen counts no references; see the keep_alive overload to read them in place).
/// \throws wandb::ValidationError  if it is empty, has a side over 65500, holds a NaN or infinite
///         value, or with Normalize::off a value outside 0..255.
template <class Derived>
Image image_from_eigen(const Eigen::DenseBase<Derived>& pixels, ImageFormat file_type = ImageFormat::png,
                       Normalize normalize = Normalize::on) {
    const detail::Caller caller{"wandb::image_from_eigen", "image"};
    detail::check_eigen_size(pixels, caller);
    return detail::with_eigen_view(pixels, [&](const StridedPixels& view) {
        if (view.type != PixelType::u8) return Image(view, file_type, normalize, caller);  // a conversion, made now
        auto copy = std::make_shared<std::vector<std::uint8_t>>(view.height * view.width);
        detail::copy_view(view, copy->data());
        const std::uint8_t* data = copy->data();
        return Image(strided_pixels(data, view.height, view.width, 1, std::ptrdiff_t(view.width), 1, 0, std::move(copy)),
                     file_type, normalize, caller);
    });
}

/// A grayscale image read in place from a dense Eigen matrix, map or block: uint8 values with no
/// copy (validated and later encoded from its memory, kept alive by `keep_alive` as for
/// mask_from_eigen); other scalars are converted now, as by the overload without keep_alive.
/// \throws wandb::ValidationError  as the other overload, and if keep_alive is null.
template <class Derived>
Image image_from_eigen(const Eigen::DenseBase<Derived>& pixels, std::shared_ptr<const void> keep_alive,
                       ImageFormat file_type = ImageFormat::png, Normalize normalize = Normalize::on) {
    static_assert(detail::eigen_direct_access<Derived>,
                  "wandb::image_from_eigen: reading in place needs a Matrix, Map, Ref or Block with memory of its own; "
                  "for an expression use the overload without keep_alive, which evaluates it");
    const detail::Caller caller{"wandb::image_from_eigen", "image"};
    detail::check_eigen_size(pixels, caller);
    if (!keep_alive) throw ValidationError("wandb::image_from_eigen: keep_alive is null; pass what owns the matrix");
    return Image(detail::eigen_view(pixels, std::move(keep_alive)), file_type, normalize, caller);
}

WANDB_NAMESPACE_END
