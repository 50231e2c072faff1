// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::Image`: pixels or an image file, with masks and boxes under named keys, a class set,
/// a caption: the C++ `wandb.Image(data, masks=..., boxes=..., classes=..., caption=...)`.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "bounding_boxes.hpp"
#include "classes.hpp"
#include "detail/image_types.hpp"
#include "internal/strided_access.hpp"
#include "detail/text.hpp"
#include "detail/xtensor.hpp"
#include "error.hpp"
#include "image_mask.hpp"
#include "strided_pixels.hpp"

WANDB_NAMESPACE_BEGIN

/// The file type pixels are saved as (the SDK's `file_type`): PNG (default, lossless), JPEG
/// (quality 75, alpha dropped), or BMP.
enum class ImageFormat { png, jpg, bmp };

/// Whether pixel values are rescaled to 0..255 as the SDK does (its `normalize=True`, the default):
/// all values in [0, 1] -> x*255; all in [-1, 1] -> 127.5*(x+1); otherwise clipped to [0, 255];
/// then truncated to integers. With `off`, every value must already lie in [0, 255].
enum class Normalize { on, off };

namespace detail {

/// The 8-bit pixels of an Image and the memory holding them, shared by the image's copies: a
/// uint8 view (what the encoder reads) into an owned tensor or into borrowed memory kept alive by
/// the view's owner; for borrowed pixels, `tensor` is made by the first call of Image::pixels().
struct ImageStorage {
    StridedPixels view;
    std::shared_ptr<const xt::xtensor<std::uint8_t, 3>> tensor;
    std::once_flag materialized;
};

}  // namespace detail

/// An image to log: 8-bit pixels (gray, RGB or RGBA) or an image file, plus overlays. Build it,
/// then chain the overlays:
/// `wandb::Image(pixels).with_mask("predictions", mask).with_classes(classes)`.
/// Copies are cheap: pixels, masks and boxes are shared and never change after construction.
class Image {
public:
    /// An image from pixels: HxW (gray), HxWx1 (gray), HxWx3 (RGB) or HxWx4 (RGBA), of any
    /// arithmetic element type, evaluated once and converted to 8 bits (see Normalize).
    /// \param file_type  png (default), jpg or bmp.
    /// \throws wandb::ValidationError  for another shape, an empty image, a side over 65500, a NaN
    ///         or infinite value (message gives its row, column and channel), or with
    ///         Normalize::off a value outside 0..255.
    template <class E>
    explicit Image(const xt::xexpression<E>& pixels, ImageFormat file_type = ImageFormat::png,
                   Normalize normalize = Normalize::on) {
        static_assert(std::is_arithmetic_v<typename E::value_type>,
                      "wandb::Image: pixels must have an arithmetic element type");
        auto&& source = xt::eval(pixels.derived_cast());
        own(to_8bit(source, normalize));
        set_format(file_type);
    }

    /// An image from pixels in memory the library does not own (StridedPixels: what the OpenCV,
    /// LibTorch and Eigen adapters build). uint8 pixels are validated and later encoded where they
    /// are, through the view's strides and channel order: no copy, the view's owner is held by
    /// this image and its copies. Other element types are converted to 8 bits now by Normalize's
    /// rule: that allocates the 8-bit image (a conversion, as for arrays), and so does the SDK's
    /// rule for uint8 pixels that are all 0 or 1 (scaled to 0 and 255) unless normalize is off.
    /// \param pixels  1, 3 or 4 channels of any PixelType, any strides.
    /// \param caller  the API named in errors (for the adapters).
    /// \throws wandb::ValidationError  if data or owner is null, the view is empty, has a side over
    ///         65500, 2 or more than 4 channels, is misaligned, holds a NaN or infinite value, or
    ///         with Normalize::off a value outside 0..255 (the message gives the value and where).
    explicit Image(StridedPixels pixels, ImageFormat file_type = ImageFormat::png, Normalize normalize = Normalize::on,
                   detail::Caller caller = {who, "pixel view"});

    /// An image from a png, jpg/jpeg or bmp file, read once now and logged as it is; its format is
    /// its extension, as written (the SDK's rule).
    /// The whole file is decoded once here (then discarded), so a truncated or corrupt file is
    /// refused now: about 0.12 s for a 4000x3000 JPEG (g++ -O2, README "Reliability").
    /// \throws wandb::ValidationError  if the file is missing, unreadable, not a regular file (a
    ///         directory, FIFO, device), has another extension, is not the image its extension
    ///         says, is corrupt or truncated, uses a coding stb cannot decode ("unsupported ..."),
    ///         or has a side over 65500.
    explicit Image(const std::filesystem::path& path);

    /// Images copy and move as their fields; copies share the pixels, masks and boxes.
    Image(const Image& other);
    /// \copydoc Image(const Image&)
    Image(Image&& other) noexcept;
    /// \copydoc Image(const Image&)
    Image& operator=(const Image& other);
    /// \copydoc Image(const Image&)
    Image& operator=(Image&& other) noexcept;
    ~Image();

    /// Adds a mask layer under `key` (e.g. "predictions"); masks keep the order they are added in.
    /// \throws wandb::ValidationError  if the key is empty, not UTF-8, already used, or the mask's
    ///         shape differs from the image's (message names the key and both shapes).
    template <class T>
    Image& with_mask(std::string key, ImageMask<T> mask) & {
        if constexpr (std::is_same_v<T, std::uint8_t>) {
            return add_mask(std::move(key), std::move(mask));
        } else {
            return add_mask(std::move(key), ImageMask<std::uint8_t>(mask));
        }
    }
    /// \copydoc with_mask
    template <class T>
    Image&& with_mask(std::string key, ImageMask<T> mask) && {
        return std::move(with_mask(std::move(key), std::move(mask)));
    }

    /// Adds a layer of boxes under `key`; layers keep the order they are added in.
    /// \throws wandb::ValidationError  if the key is empty, not UTF-8 or already used.
    Image& with_boxes(std::string key, BoundingBoxes2D boxes) &;
    /// \copydoc with_boxes
    Image&& with_boxes(std::string key, BoundingBoxes2D boxes) && {
        return std::move(with_boxes(std::move(key), std::move(boxes)));
    }

    /// Sets the explicit class set (the SDK's `classes=`); merged after box and mask labels.
    Image& with_classes(Classes classes) &;
    /// \copydoc with_classes
    Image&& with_classes(Classes classes) && { return std::move(with_classes(std::move(classes))); }

    /// Sets the caption shown under the image.
    /// \throws wandb::ValidationError  if it is not valid UTF-8.
    Image& with_caption(std::string caption) &;
    /// \copydoc with_caption
    Image&& with_caption(std::string caption) && { return std::move(with_caption(std::move(caption))); }

    /// Sets the SDK's `grouping` number (written only when non-zero, as the SDK does).
    Image& with_grouping(int grouping) &;
    /// \copydoc with_grouping
    Image&& with_grouping(int grouping) && { return std::move(with_grouping(grouping)); }

    /// Columns.
    std::size_t width() const noexcept { return width_; }
    /// Rows.
    std::size_t height() const noexcept { return height_; }
    /// "png", "jpg", "bmp", or a file's extension as written ("jpeg", "PNG", ...).
    const std::string& format() const noexcept { return format_; }
    /// The 8-bit pixels, H x W x C with C = 1, 3 or 4; null for an image from a file. For an image
    /// of borrowed uint8 pixels, the first call copies them into a tensor kept by the image and its
    /// copies; encoding never calls it. Thread-safe.
    /// \throws std::bad_alloc  if that copy cannot be made.
    const std::shared_ptr<const xt::xtensor<std::uint8_t, 3>>& pixels() const;
    /// The 8-bit pixels as a view into the memory that holds them, owned or borrowed: what the
    /// encoder reads; null for an image from a file. Copies of an image share this view.
    const StridedPixels* pixel_view() const noexcept { return storage_ ? &storage_->view : nullptr; }
    /// The file the image was read from, if any.
    const std::optional<std::filesystem::path>& path() const noexcept { return path_; }
    /// That file's bytes as read at construction (null for pixel images).
    const detail::SharedBytes& file_bytes() const noexcept { return file_bytes_; }
    /// Mask layers in the order added.
    const std::vector<std::pair<std::string, std::shared_ptr<const ImageMask<std::uint8_t>>>>& masks() const noexcept {
        return masks_;
    }
    /// Box layers in the order added.
    const std::vector<std::pair<std::string, std::shared_ptr<const BoundingBoxes2D>>>& boxes() const noexcept {
        return boxes_;
    }
    /// The caption, if set.
    const std::optional<std::string>& caption() const noexcept { return caption_; }
    /// The grouping number, if set.
    const std::optional<int>& grouping() const noexcept { return grouping_; }
    /// The explicit class set, if given.
    const std::optional<Classes>& explicit_classes() const noexcept { return classes_; }

    /// The class set W&B receives, merged as the SDK merges it: the labels of each box layer, then
    /// of each mask layer, then the explicit classes; a later name for an id replaces the earlier
    /// one in its first position. Empty when nothing carries labels.
    std::vector<ClassInfo> class_set() const;

private:
    static constexpr const char* who = "wandb::Image";

    static const char* format_name(detail::FileFormat f);
    bool has_mask(const std::string& key) const;
    /// with_mask's checks and the layer, for 8-bit labels (compiled once).
    Image& add_mask(std::string key, ImageMask<std::uint8_t> mask);
    bool has_boxes(const std::string& key) const;
    static void check_layer_key(const std::string& key, const char* kind, bool taken);

    void own(xt::xtensor<std::uint8_t, 3>&& pixels);
    void set_format(ImageFormat file_type);

    /// True if some value of a uint8 view exceeds 1 (then the SDK's rule leaves the values as they are).
    static bool any_above_one(const StridedPixels& view);

    /// Shapes, finiteness and the SDK's rescaling: one pass for the range, one to convert.
    template <class Container>
    static xt::xtensor<std::uint8_t, 3> to_8bit(const Container& source, Normalize normalize) {
        using Source = typename Container::value_type;
        const auto& shape = source.shape();
        const std::size_t rank = shape.size();
        const std::size_t channels = rank == 3 ? shape[2] : 1;
        if (!(rank == 2 || (rank == 3 && (channels == 1 || channels == 3 || channels == 4))))
            throw ValidationError(std::string(who) + ": pixels must have shape (H, W), (H, W, 1), (H, W, 3) or "
                                  "(H, W, 4), got " + detail::shape_string(shape));
        const std::size_t height = shape[0], width = shape[1];
        if (height == 0 || width == 0)
            throw ValidationError(std::string(who) + ": pixels are empty, shape " + detail::shape_string(shape));
        if (height > detail::max_image_side || width > detail::max_image_side)
            throw ValidationError(std::string(who) + ": pixels shape " + detail::shape_string(shape) +
                                  " has a side over " + std::to_string(detail::max_image_side));

        // The container's memory read through its own strides (any layout; a side of 1 may have
        // stride 0), in row-major order.
        const auto& strides = source.strides();
        constexpr auto size = std::ptrdiff_t(sizeof(Source));
        StridedPixels view;
        view.data = source.data();
        view.height = height;
        view.width = width;
        view.channels = channels;
        view.row_stride = std::ptrdiff_t(strides[0]) * size;
        view.column_stride = std::ptrdiff_t(strides[1]) * size;
        view.channel_stride = rank == 3 ? std::ptrdiff_t(strides[2]) * size : size;
        if constexpr (sizeof(Source) <= 8 && !std::is_same_v<Source, long double>) {
            // A type the library converts itself, compiled once (compiled mode): what this
            // template adds to a user's source file is the shape checks and the view.
            view.type = pixel_type_of<Source>();
            return convert_view_to_8bit(view, normalize, rank, who);
        } else {
            return convert_to_8bit(detail::TypedPixels<Source>(view), normalize, rank, who);
        }
    }

    /// convert_to_8bit for the view's PixelType (errors start with `api`): compiled once, for the
    /// xtensor constructor and the StridedPixels one.
    static xt::xtensor<std::uint8_t, 3> convert_view_to_8bit(const StridedPixels& view, Normalize normalize,
                                                             std::size_t rank, const char* api);

    /// Finiteness and the SDK's rescaling of (shape-checked) pixels read through their strides:
    /// one pass for the range, one to convert. `rank` 3 names the channel in errors (the
    /// source's channel: for BGR pixels, channel 0 is blue).
    template <class Source>
    static xt::xtensor<std::uint8_t, 3> convert_to_8bit(const detail::TypedPixels<Source>& in, Normalize normalize,
                                                        std::size_t rank, const char* api) {
        const std::size_t height = in.height, width = in.width, channels = in.channels;
        auto where = [&](std::size_t i) {
            return " at row " + std::to_string(i / (width * channels)) + ", column " +
                   std::to_string(i / channels % width) +
                   (rank == 3 ? ", channel " + std::to_string(in.order[i % channels]) : "");
        };
        Source lo = in.at(0, 0), hi = lo;
        in.for_each([&](std::size_t i, Source v) {
            if constexpr (std::is_floating_point_v<Source>) {
                if (!std::isfinite(v))
                    throw ValidationError(std::string(api) + ": pixel value " + detail::number_text(double(v)) +
                                          where(i) + " is not finite");
            }
            if (normalize == Normalize::off && (double(v) < 0 || double(v) > 255))
                throw ValidationError(std::string(api) + ": pixel value " + detail::number_text(double(v)) + where(i) +
                                      " is outside 0..255 and normalization is off");
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        });

        // The arithmetic follows numpy's: floats stay in their own precision, integers are exact
        // or (the [-1, 1] rule) computed in double; astype(uint8) truncates toward zero.
        using Calc = std::conditional_t<std::is_floating_point_v<Source>, Source, double>;
        xt::xtensor<std::uint8_t, 3> out(std::array<std::size_t, 3>{height, width, channels});
        std::uint8_t* o = out.data();
        const bool on = normalize == Normalize::on;
        if (on && double(lo) >= 0 && double(hi) <= 1) {
            in.for_each([o](std::size_t i, Source v) { o[i] = static_cast<std::uint8_t>(static_cast<Calc>(v) * Calc(255)); });
        } else if (on && double(lo) >= -1 && double(hi) <= 1) {
            in.for_each([o](std::size_t i, Source v) {
                o[i] = static_cast<std::uint8_t>(Calc(127.5) * (static_cast<Calc>(v) + Calc(1)));
            });
        } else if constexpr (std::is_same_v<Source, std::uint8_t>) {
            in.for_each([o](std::size_t i, Source v) { o[i] = v; });
        } else {
            in.for_each([o](std::size_t i, Source v) {
                o[i] = static_cast<std::uint8_t>(std::min(std::max(static_cast<Calc>(v), Calc(0)), Calc(255)));
            });
        }
        return out;
    }

    std::shared_ptr<detail::ImageStorage> storage_;  ///< null for an image from a file
    std::optional<std::filesystem::path> path_;
    detail::SharedBytes file_bytes_;
    std::string format_;
    std::size_t width_ = 0, height_ = 0;
    std::vector<std::pair<std::string, std::shared_ptr<const ImageMask<std::uint8_t>>>> masks_;
    std::vector<std::pair<std::string, std::shared_ptr<const BoundingBoxes2D>>> boxes_;
    std::optional<Classes> classes_;
    std::optional<std::string> caption_;
    std::optional<int> grouping_;
};

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "image-inl.hpp"
#endif
