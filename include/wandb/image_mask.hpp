// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::ImageMask<T>`: a per-pixel class-id mask to overlay on an Image, the C++
/// `wandb.ImageMask({"mask_data": ..., "class_labels": ...})`.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "classes.hpp"
#include "detail/image_types.hpp"
#include "internal/strided_access.hpp"
#include "detail/text.hpp"
#include "detail/xtensor.hpp"
#include "error.hpp"
#include "strided_pixels.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The labels of an ImageMask and the memory holding them, shared by the mask's copies: a view
/// (what the encoder reads) into an owned tensor or into borrowed memory kept alive by the view's
/// owner; for a borrowed mask, `tensor` is made by the first call of mask_data().
template <class T>
struct MaskStorage {
    StridedPixels view;
    std::shared_ptr<const xt::xtensor<T, 2>> tensor;
    std::once_flag materialized;
};

/// A saved mask PNG, read once and decoded: the file's bytes as read (what is logged) and its
/// labels, H x W.
struct MaskFile {
    SharedBytes bytes;
    xt::xtensor<std::uint8_t, 2> labels;
};

/// Reads and decodes the mask PNG of ImageMask's path constructor (see there): single-channel
/// 8-bit gray, pixel value = class id. \param who  the message prefix, "wandb::ImageMask".
/// \throws ValidationError  if the file is missing, unreadable, a directory, not a PNG, corrupt
///         (bad CRC, truncated), or not 8-bit gray (the message says what it is).
MaskFile read_mask_file(const std::filesystem::path& path, const char* who);

}  // namespace detail

/// A per-pixel class-id mask to overlay on an Image: a 2D integer label array, a saved mask PNG,
/// or labels in memory the library does not own (StridedPixels: what the OpenCV, LibTorch and
/// Eigen adapters build), plus the names of its classes. Validated on construction; immutable
/// afterwards, so copies share the labels.
/// \tparam T  the element type of the labels; any integral type (values must still be 0..255).
template <class T = std::uint8_t>
class ImageMask {
    static_assert(std::is_integral_v<T>,
                  "wandb::ImageMask<T>: mask labels must be integers; convert a float mask explicitly, "
                  "e.g. xt::cast<std::uint8_t>(xt::round(mask))");

public:
    using value_type = T;

    /// A mask from a 2D array of class ids (evaluated once into an owning tensor).
    /// \param mask_data  2D labels (H x W), each in 0..255; any integral element type.
    /// \param class_labels  id -> name, ids 0..255; defaults to "class_<id>" for each id present.
    /// \throws wandb::ValidationError  if the array is not 2D, is empty, has a side over 65500, holds
    ///         a value outside 0..255 (message gives the value, row and column), or a label is bad.
    template <class E>
    explicit ImageMask(const xt::xexpression<E>& mask_data, std::optional<ClassLabels> class_labels = std::nullopt) {
        using Source = typename E::value_type;
        static_assert(std::is_integral_v<Source>,
                      "wandb::ImageMask: mask_data must hold integers; convert a float mask explicitly, "
                      "e.g. xt::cast<std::uint8_t>(xt::round(mask))");
        auto&& source = xt::eval(mask_data.derived_cast());
        check_shape(source.shape());
        check_values(source);
        take(xt::xtensor<T, 2>(source), std::move(class_labels));  // one conversion into the owning tensor
    }

    /// A mask that takes over an existing tensor without copying it.
    /// \copydetails ImageMask(const xt::xexpression<E>&, std::optional<ClassLabels>)
    explicit ImageMask(xt::xtensor<T, 2>&& mask_data, std::optional<ClassLabels> class_labels = std::nullopt) {
        check_shape(mask_data.shape());
        check_values(mask_data);
        take(std::move(mask_data), std::move(class_labels));
    }

    /// A mask from a saved mask PNG: single-channel (gray) 8-bit, pixel value = class id. The file
    /// is read once, now; logging copies these bytes as they are (as the SDK copies the file).
    /// \param path  the PNG file.  \param class_labels  as above; defaults to the ids present.
    /// \throws wandb::ValidationError  if the file is missing, unreadable, a directory, not a PNG,
    ///         corrupt (bad CRC, truncated), or not 8-bit gray (the message says what it is).
    explicit ImageMask(const std::filesystem::path& path, std::optional<ClassLabels> class_labels = std::nullopt) {
        detail::MaskFile file = detail::read_mask_file(path, who);
        file_bytes_ = std::move(file.bytes);
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            own(std::move(file.labels));
        } else {
            own(xt::xtensor<T, 2>(file.labels));
        }
        path_ = path;
        set_labels(std::move(class_labels));
    }

    /// A mask from labels in memory the library does not own, validated where they are (0..255,
    /// read through the view's strides) and later encoded from there: no copy of the labels.
    /// The view's owner is held by this mask and its copies.
    /// \param labels  one channel of integers (any PixelType but f32/f64), any strides.
    /// \param class_labels  as above.  \param caller  the API named in errors (for the adapters).
    /// \throws wandb::ValidationError  if data or owner is null, the view is empty, has a side over
    ///         65500, more than one channel, float elements, is misaligned, holds a value outside
    ///         0..255 (message gives the value, row and column), or a label is bad.
    template <class U = T, class = std::enable_if_t<std::is_same_v<U, std::uint8_t>>>
    explicit ImageMask(StridedPixels labels, std::optional<ClassLabels> class_labels = std::nullopt,
                       detail::Caller caller = {who, "mask_data"}) {
        detail::check_view(labels, caller, true);
        bool present[256] = {};
        detail::check_mask_values(labels, caller, class_labels ? nullptr : present);
        storage_ = std::make_shared<detail::MaskStorage<T>>();
        storage_->view = std::move(labels);
        if (class_labels) {
            set_labels(std::move(class_labels), caller.api);
        } else {
            labels_ = default_labels(present);
        }
    }

    /// A mask with the labels of another element type; the values were validated, so this is exact.
    /// To 8 bits (what an Image holds) the labels are shared, read through a view, not copied.
    template <class U, class = std::enable_if_t<!std::is_same_v<U, T>>>
    explicit ImageMask(const ImageMask<U>& other)
        : labels_(other.class_labels()), path_(other.path()), file_bytes_(other.file_bytes()) {
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            storage_ = std::make_shared<detail::MaskStorage<T>>();
            storage_->view = other.view();
        } else {
            own(materialize(other.view()));
        }
    }

    /// The class ids, H x W. For a mask made from StridedPixels (or converted to 8 bits from
    /// another element type), the first call copies the labels into a tensor kept by the mask and
    /// its copies; encoding never calls it. Thread-safe.
    /// \throws std::bad_alloc  if that copy cannot be made.
    const xt::xtensor<T, 2>& mask_data() const {
        std::call_once(storage_->materialized, [this] {
            if (!storage_->tensor)
                storage_->tensor = std::make_shared<const xt::xtensor<T, 2>>(materialize(storage_->view));
        });
        return *storage_->tensor;
    }
    /// The labels as a view into the memory that holds them, owned or borrowed: what the encoder
    /// reads (`view().data` is the source's own memory for a borrowed mask).
    const StridedPixels& view() const noexcept { return storage_->view; }
    /// id -> name: the labels given, or "class_<id>" for every id present.
    const ClassLabels& class_labels() const noexcept { return labels_; }
    /// Rows of the mask.
    std::size_t height() const noexcept { return storage_->view.height; }
    /// Columns of the mask.
    std::size_t width() const noexcept { return storage_->view.width; }
    /// The PNG file the mask was read from, if it came from one.
    const std::optional<std::filesystem::path>& path() const noexcept { return path_; }
    /// That file's bytes as read at construction (null for array masks); logged as they are.
    const detail::SharedBytes& file_bytes() const noexcept { return file_bytes_; }

private:
    static constexpr const char* who = "wandb::ImageMask";

    template <class Shape>
    static void check_shape(const Shape& shape) {
        if (shape.size() != 2)
            throw ValidationError(std::string(who) + ": mask_data must be a 2D array, got shape " +
                                  detail::shape_string(shape));
        if (shape[0] == 0 || shape[1] == 0)
            throw ValidationError(std::string(who) + ": mask_data is empty, shape " + detail::shape_string(shape));
        if (shape[0] > detail::max_image_side || shape[1] > detail::max_image_side)
            throw ValidationError(std::string(who) + ": mask_data shape " + detail::shape_string(shape) +
                                  " has a side over " + std::to_string(detail::max_image_side));
    }

    /// Finds the first value outside 0..255 in row-major order.
    template <class Container>
    static void check_values(const Container& source) {
        using Source = typename Container::value_type;
        if constexpr (std::is_same_v<Source, bool> ||
                      (std::is_unsigned_v<Source> && sizeof(Source) == 1)) {
            (void)source;  // every value fits
        } else {
            const std::size_t cols = source.shape()[1];
            auto bad = [](Source v) {
                if constexpr (std::is_signed_v<Source>) {
                    const auto wide = static_cast<long long>(v);
                    return wide < 0 || wide > 255;
                } else {
                    return static_cast<std::uintmax_t>(v) > 255u;
                }
            };
            auto report = [&](std::size_t row, std::size_t col, Source v) {
                throw ValidationError(std::string(who) + ": mask_data value " + std::to_string(+v) + " at row " +
                                      std::to_string(row) + ", column " + std::to_string(col) + " is outside 0..255");
            };
            if (source.layout() == xt::layout_type::row_major) {
                const auto* p = source.data();
                const std::size_t n = source.size();
                for (std::size_t i = 0; i < n; ++i)
                    if (bad(p[i])) report(i / cols, i % cols, p[i]);
            } else {
                for (std::size_t r = 0; r < source.shape()[0]; ++r)
                    for (std::size_t c = 0; c < cols; ++c)
                        if (bad(source(r, c))) report(r, c, source(r, c));
            }
        }
    }

    /// Takes over validated labels and sets the class labels (defined below the class: not inline,
    /// so in compiled mode the 8-bit mask's is compiled once, in the library).
    void take(xt::xtensor<T, 2>&& labels, std::optional<ClassLabels> class_labels);

    /// Takes over validated labels.
    void own(xt::xtensor<T, 2>&& labels) {
        auto tensor = std::make_shared<const xt::xtensor<T, 2>>(std::move(labels));
        const std::size_t h = tensor->shape()[0], w = tensor->shape()[1];
        storage_ = std::make_shared<detail::MaskStorage<T>>();
        storage_->view = strided_pixels(tensor->data(), h, w, 1, std::ptrdiff_t(w), 1, 0, tensor);
        storage_->tensor = std::move(tensor);
    }

    /// A copy of a validated view's labels as T (exact).
    static xt::xtensor<T, 2> materialize(const StridedPixels& view) {
        xt::xtensor<T, 2> out(std::array<std::size_t, 2>{view.height, view.width});
        detail::copy_view(view, out.data());
        return out;
    }

    void set_labels(std::optional<ClassLabels> class_labels, const char* api = who) {
        if (class_labels) {
            detail::validate_class_labels(*class_labels, api, 0, 255);
            labels_ = std::move(*class_labels);
            return;
        }
        bool present[256] = {};
        for (const T v : storage_->tensor->storage()) present[static_cast<std::size_t>(v)] = true;
        labels_ = default_labels(present);
    }

    static ClassLabels default_labels(const bool (&present)[256]) {
        std::set<int> ids;
        for (int id = 0; id < 256; ++id)
            if (present[id]) ids.insert(id);
        return detail::default_class_labels(ids);
    }

    std::shared_ptr<detail::MaskStorage<T>> storage_;
    ClassLabels labels_;
    std::optional<std::filesystem::path> path_;
    detail::SharedBytes file_bytes_;
};

template <class T>
void ImageMask<T>::take(xt::xtensor<T, 2>&& labels, std::optional<ClassLabels> class_labels) {
    own(std::move(labels));
    set_labels(std::move(class_labels));
}

/// `wandb::ImageMask(labels, ...)` takes the element type of the labels.
template <class E>
ImageMask(const xt::xexpression<E>&, std::optional<ClassLabels> = std::nullopt) -> ImageMask<typename E::value_type>;
template <class T>
ImageMask(xt::xtensor<T, 2>&&, std::optional<ClassLabels> = std::nullopt) -> ImageMask<T>;
/// `wandb::ImageMask(path, ...)` holds 8-bit labels.
ImageMask(const std::filesystem::path&, std::optional<ClassLabels> = std::nullopt) -> ImageMask<std::uint8_t>;
/// `wandb::ImageMask(view, ...)` holds 8-bit labels (read from the view's memory).
ImageMask(StridedPixels, std::optional<ClassLabels> = std::nullopt) -> ImageMask<std::uint8_t>;

#if !WANDB_IMAGEMASK_HEADER_ONLY
// Compiled mode: the 8-bit mask every Image holds is instantiated once, in the library.
extern template class ImageMask<std::uint8_t>;
#endif

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "image_mask-inl.hpp"
#endif
