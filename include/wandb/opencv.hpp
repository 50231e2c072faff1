// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Masks and images from OpenCV's `cv::Mat`, read where they are: any step, any ROI, BGR
/// reordered to RGB as rows are encoded. Not included by <wandb/wandb.hpp>; needs OpenCV's core
/// module (CMake target `wandb::imagemask_opencv`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "classes.hpp"
#include "error.hpp"
#include "image.hpp"
#include "image_mask.hpp"
#include "strided_pixels.hpp"

WANDB_NAMESPACE_BEGIN

/// The order of a Mat's colour channels. OpenCV's own is BGR / BGRA (imread, VideoCapture,
/// cvtColor's defaults); W&B shows RGB / RGBA.
enum class ChannelOrder { bgr, rgb };

namespace detail {

/// Checks that a Mat holds a 2-D array of pixels.
/// \throws ValidationError  "<api>: the Mat is empty", or names its dimensions.
inline void check_mat(const cv::Mat& mat, const char* api) {
    if (mat.empty()) throw ValidationError(std::string(api) + ": the Mat is empty");
    if (mat.dims != 2)
        throw ValidationError(std::string(api) + ": the Mat has " + std::to_string(mat.dims) +
                              " dimensions; pixels are a 2-D Mat (rows x cols, channels per element)");
}

/// The pixels of a checked Mat as a view: `step[0]` bytes between rows (an ROI's rows are not
/// adjacent), `elemSize()` between columns, `elemSize1()` between channels. The owner is a copy of
/// the Mat header, whose reference count keeps the pixels alive after the caller's Mat is gone.
/// A Mat made over memory it does not own (`cv::Mat(rows, cols, type, pointer)`) has no reference
/// count, so nothing could keep that memory alive: it is cloned once instead.
inline StridedPixels mat_view(const cv::Mat& mat, PixelType type) {
    auto held = std::make_shared<const cv::Mat>(mat.u != nullptr ? mat : mat.clone());
    StridedPixels view;
    view.data = held->data;
    view.type = type;
    view.height = std::size_t(held->rows);
    view.width = std::size_t(held->cols);
    view.channels = std::size_t(held->channels());
    view.row_stride = std::ptrdiff_t(held->step[0]);
    view.column_stride = std::ptrdiff_t(held->elemSize());
    view.channel_stride = std::ptrdiff_t(held->elemSize1());
    view.owner = std::move(held);
    return view;
}

}  // namespace detail

/// A mask from a single-channel Mat of class ids, the C++ `wandb.ImageMask({"mask_data": m})`:
/// CV_8UC1, CV_16UC1 or CV_32SC1 (also CV_8SC1 and CV_16SC1), any step, any ROI. The labels are
/// validated and later encoded from the Mat's own memory, with no copy; the mask keeps a
/// reference to that memory, so the Mat may go out of scope (see detail::mat_view).
/// \param labels  rows x cols class ids, each in 0..255.
/// \param class_labels  id -> name, ids 0..255; defaults to "class_<id>" for each id present.
/// \throws wandb::ValidationError  if the Mat is empty, not 2-D, has more than one channel or
///         another depth, holds a value outside 0..255 (the value, row and column are named), or
///         a label is bad.
inline ImageMask<std::uint8_t> mask_from_mat(const cv::Mat& labels,
                                             std::optional<ClassLabels> class_labels = std::nullopt) {
    static constexpr const char* api = "wandb::mask_from_mat";
    detail::check_mat(labels, api);
    if (labels.channels() != 1)
        throw ValidationError(std::string(api) + ": a mask has 1 channel, but the Mat is " +
                              cv::typeToString(labels.type()));
    PixelType type;
    switch (labels.depth()) {
        case CV_8U: type = PixelType::u8; break;
        case CV_8S: type = PixelType::i8; break;
        case CV_16U: type = PixelType::u16; break;
        case CV_16S: type = PixelType::i16; break;
        case CV_32S: type = PixelType::i32; break;
        default:
            throw ValidationError(std::string(api) + ": the Mat is " + cv::typeToString(labels.type()) +
                                  "; a mask is CV_8UC1, CV_16UC1 or CV_32SC1 (or CV_8SC1, CV_16SC1); convert "
                                  "a float mask with convertTo(out, CV_8U), which rounds");
    }
    return ImageMask<std::uint8_t>(detail::mat_view(labels, type), std::move(class_labels), {api, "mask"});
}

/// An image from a Mat, the C++ `wandb.Image(pixels)`: CV_8UC1 (gray), CV_8UC3 and CV_8UC4 are
/// validated and later encoded from the Mat's own memory, reordered from `order` to RGB(A) row by
/// row, with no copy (the image keeps a reference, as mask_from_mat); CV_32F and CV_64F with 1, 3
/// or 4 channels are converted to 8 bits now by Normalize's rule (values in [0, 1] are scaled by
/// 255, ...), which allocates the 8-bit image.
/// \param pixels  rows x cols pixels of 1, 3 or 4 channels.
/// \param order  the Mat's channel order: bgr (OpenCV's, the default) or rgb.
/// \param file_type  png (default), jpg or bmp.  \param normalize  see Normalize.
/// \throws wandb::ValidationError  if the Mat is empty, not 2-D, has 2 or more than 4 channels,
///         another depth, a NaN or infinite value, or with Normalize::off a value outside 0..255.
inline Image image_from_mat(const cv::Mat& pixels, ChannelOrder order = ChannelOrder::bgr,
                            ImageFormat file_type = ImageFormat::png, Normalize normalize = Normalize::on) {
    static constexpr const char* api = "wandb::image_from_mat";
    detail::check_mat(pixels, api);
    const int channels = pixels.channels();
    if (channels != 1 && channels != 3 && channels != 4)
        throw ValidationError(std::string(api) + ": an image has 1, 3 or 4 channels, but the Mat is " +
                              cv::typeToString(pixels.type()));
    PixelType type;
    switch (pixels.depth()) {
        case CV_8U: type = PixelType::u8; break;
        case CV_32F: type = PixelType::f32; break;
        case CV_64F: type = PixelType::f64; break;
        default:
            throw ValidationError(std::string(api) + ": the Mat is " + cv::typeToString(pixels.type()) +
                                  "; an image is CV_8U, CV_32F or CV_64F with 1, 3 or 4 channels; convert "
                                  "16-bit pixels with convertTo(out, CV_8U, 1.0 / 257)");
    }
    StridedPixels view = detail::mat_view(pixels, type);
    if (order == ChannelOrder::bgr && channels >= 3) view.channel_order = {{2, 1, 0, 3}};
    return Image(std::move(view), file_type, normalize, {api, "image"});
}

WANDB_NAMESPACE_END
