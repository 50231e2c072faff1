// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Masks and images from LibTorch tensors (`at::Tensor`, which `torch::Tensor` is). CPU tensors
/// are read where they are, through their strides; a tensor on another device (CUDA, ...) is
/// copied to the host once, a mask narrowed to uint8 on its device first (8x less to copy than
/// int64). Not included by <wandb/wandb.hpp>; includes only <ATen/core/Tensor.h> (CMake target
/// `wandb::imagemask_torch`).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/GradMode.h>

#include "classes.hpp"
#include "error.hpp"
#include "image.hpp"
#include "image_mask.hpp"
#include "strided_pixels.hpp"

WANDB_NAMESPACE_BEGIN

/// Where the channels of a 3-D image tensor are: C x H x W (PyTorch's convention, and what the
/// SDK's `wandb.Image(tensor)` assumes) or H x W x C.
enum class TensorLayout { chw, hwc };

namespace detail {

/// How a tensor reaches memory the CPU can read; a seam, so the device path is tested without a
/// GPU. `on_host`: whether the tensor's data is already there (default: on the CPU device);
/// `to_host`: one copy there (default: Tensor::cpu(), which for CUDA waits for the copy).
struct TensorTransfer {
    std::function<bool(const at::Tensor&)> on_host = [](const at::Tensor& t) { return t.device().is_cpu(); };
    std::function<at::Tensor(const at::Tensor&)> to_host = [](const at::Tensor& t) { return t.cpu(); };
};

/// A dtype as C++ code names it: "torch::kInt64", ...
inline std::string dtype_name(at::ScalarType dtype) {
    switch (dtype) {
        case at::kByte: return "torch::kUInt8";
        case at::kChar: return "torch::kInt8";
        case at::kShort: return "torch::kInt16";
        case at::kInt: return "torch::kInt32";
        case at::kLong: return "torch::kInt64";
        case at::kBool: return "torch::kBool";
        case at::kHalf: return "torch::kFloat16";
        case at::kBFloat16: return "torch::kBFloat16";
        case at::kFloat: return "torch::kFloat32";
        case at::kDouble: return "torch::kFloat64";
        default: return std::string("torch::") + c10::toString(dtype);
    }
}

/// The PixelType of a dtype the adapters read, if any (bool is read as uint8 0/1).
inline std::optional<PixelType> tensor_pixel_type(at::ScalarType dtype) {
    switch (dtype) {
        case at::kByte:
        case at::kBool: return PixelType::u8;
        case at::kChar: return PixelType::i8;
        case at::kShort: return PixelType::i16;
        case at::kInt: return PixelType::i32;
        case at::kLong: return PixelType::i64;
        case at::kFloat: return PixelType::f32;
        case at::kDouble: return PixelType::f64;
        default: return std::nullopt;
    }
}

/// "(2, 3, 64, 64)".
inline std::string tensor_shape(const at::Tensor& t) { return shape_string(t.sizes()); }

/// Refuses what no adapter reads: an undefined tensor, a sparse or other non-strided one, a tensor
/// on the meta device (it has no data).
inline void check_tensor(const at::Tensor& t, const char* api) {
    if (!t.defined()) throw ValidationError(std::string(api) + ": the tensor is undefined");
    if (t.layout() != at::kStrided)
        throw ValidationError(std::string(api) + ": the tensor is not dense (layout " + c10::str(t.layout()) +
                              "); convert it with .to_dense()");
    if (t.is_meta()) throw ValidationError(std::string(api) + ": the tensor is on the meta device, which holds no data");
}

/// Copies a tensor to the host with `transfer`, turning LibTorch's errors into ValidationError.
inline at::Tensor copy_to_host(const at::Tensor& t, const TensorTransfer& transfer, const char* api) {
    try {
        return transfer.to_host(t);
    } catch (const c10::Error& e) {
        throw ValidationError(std::string(api) + ": cannot copy the tensor from " + t.device().str() +
                              " to the host: " + e.what_without_backtrace());
    }
}

/// A view of a host tensor's H x W (x C) elements, with the tensor (a reference-counted handle to
/// its storage) as the owner, so the caller may drop theirs. Strides are LibTorch's, in elements.
inline StridedPixels tensor_view(const at::Tensor& host, PixelType type, std::size_t height, std::size_t width,
                                 std::size_t channels, std::int64_t row_stride, std::int64_t column_stride,
                                 std::int64_t channel_stride, const std::uint8_t* data = nullptr,
                                 std::shared_ptr<const void> owner = nullptr) {
    const auto size = std::ptrdiff_t(host.element_size());
    StridedPixels view;
    view.data = data != nullptr ? data : static_cast<const std::uint8_t*>(host.data_ptr());
    view.type = type;
    view.height = height;
    view.width = width;
    view.channels = channels;
    view.row_stride = std::ptrdiff_t(row_stride) * size;
    view.column_stride = std::ptrdiff_t(column_stride) * size;
    view.channel_stride = std::ptrdiff_t(channel_stride) * size;
    view.owner = owner ? std::move(owner) : std::make_shared<const at::Tensor>(host);
    return view;
}

/// mask_from_tensor with the device step given (tests pass a fake; see TensorTransfer).
inline ImageMask<std::uint8_t> mask_from_tensor_with(const at::Tensor& labels, std::optional<ClassLabels> class_labels,
                                                     const TensorTransfer& transfer) {
    static constexpr const char* api = "wandb::mask_from_tensor";
    const std::string who = api;
    check_tensor(labels, api);
    if (labels.dim() != 2)
        throw ValidationError(who + ": a mask is a 2-D tensor (H x W), got a " + std::to_string(labels.dim()) +
                              "-D tensor of shape " + tensor_shape(labels) +
                              (labels.dim() > 2 ? "; index one mask of a batch (labels[0]), or use masks_from_logits "
                                                  "for N x C x H x W logits"
                                                : ""));
    const at::ScalarType dtype = labels.scalar_type();
    const auto type = tensor_pixel_type(dtype);
    if (!type || *type == PixelType::f32 || *type == PixelType::f64)
        throw ValidationError(who + ": a mask holds integers, got a tensor of " + dtype_name(dtype) +
                              "; use masks_from_logits for logits, or .round().to(torch::kUInt8) for class ids");
    if (labels.numel() == 0) throw ValidationError(who + ": mask is empty, shape " + tensor_shape(labels));
    at::Tensor host = labels;
    if (!transfer.on_host(labels)) {
        // On the device: check the range there (two scalars come back), narrow there, copy once.
        at::Tensor narrowed = labels;
        try {
            if (dtype != at::kByte && dtype != at::kBool) {
                const auto range = labels.aminmax();
                if (std::get<0>(range).item<std::int64_t>() < 0 || std::get<1>(range).item<std::int64_t>() > 255) {
                    // The first bad label in row-major order (nonzero lists indices in that order).
                    const at::Tensor where = labels.lt(0).logical_or(labels.gt(255)).nonzero();
                    const std::int64_t r = where[0][0].item<std::int64_t>(), c = where[0][1].item<std::int64_t>();
                    throw ValidationError(who + ": mask value " + std::to_string(labels[r][c].item<std::int64_t>()) +
                                          " at row " + std::to_string(r) + ", column " + std::to_string(c) +
                                          " is outside 0..255");
                }
                narrowed = labels.to(at::kByte);
            }
        } catch (const c10::Error& e) {
            throw ValidationError(who + ": cannot check the tensor on " + labels.device().str() + ": " +
                                  e.what_without_backtrace());
        }
        host = copy_to_host(narrowed, transfer, api);
    }
    const auto host_type = tensor_pixel_type(host.scalar_type());
    if (!host_type || host.sizes() != labels.sizes())  // only a broken to_host gets here
        throw ValidationError(who + ": the copy to the host is a tensor of " + dtype_name(host.scalar_type()) +
                              ", shape " + tensor_shape(host));
    return ImageMask<std::uint8_t>(tensor_view(host, *host_type, std::size_t(host.size(0)),
                                               std::size_t(host.size(1)), 1, host.stride(0), host.stride(1), 0),
                                   std::move(class_labels), {api, "mask"});
}

/// image_from_tensor with the device step given (tests pass a fake; see TensorTransfer).
inline Image image_from_tensor_with(const at::Tensor& pixels, TensorLayout layout, ImageFormat file_type,
                                    Normalize normalize, const TensorTransfer& transfer) {
    static constexpr const char* api = "wandb::image_from_tensor";
    const std::string who = api;
    check_tensor(pixels, api);
    if (pixels.requires_grad())
        throw ValidationError(who + ": the tensor requires grad; call .detach() on it first");
    const auto dim = pixels.dim();
    if (dim != 2 && dim != 3)
        throw ValidationError(who + ": an image is a 2-D (H x W) or 3-D (" +
                              (layout == TensorLayout::chw ? "C x H x W" : "H x W x C") + ") tensor, got a " +
                              std::to_string(dim) + "-D tensor of shape " + tensor_shape(pixels) +
                              (dim == 4 ? "; log one image of a batch (pixels[0])" : ""));
    const at::ScalarType dtype = pixels.scalar_type();
    const auto type = tensor_pixel_type(dtype);
    if (!type)
        throw ValidationError(who + ": an image holds uint8 or float values, got a tensor of " + dtype_name(dtype) +
                              "; convert it with .to(torch::kFloat32)");
    const int channel_dim = dim == 2 ? -1 : layout == TensorLayout::chw ? 0 : 2;
    const int row_dim = channel_dim == 0 ? 1 : 0;
    const std::int64_t channels = channel_dim < 0 ? 1 : pixels.size(channel_dim);
    if (channels != 1 && channels != 3 && channels != 4)
        throw ValidationError(who + ": " + (layout == TensorLayout::chw ? "a C x H x W" : "an H x W x C") +
                              " image has 1, 3 or 4 channels in dimension " + std::to_string(channel_dim) +
                              ", got shape " + tensor_shape(pixels));
    if (pixels.numel() == 0) throw ValidationError(who + ": image is empty, shape " + tensor_shape(pixels));
    const at::Tensor host = transfer.on_host(pixels) ? pixels : copy_to_host(pixels, transfer, api);
    return Image(tensor_view(host, *type, std::size_t(host.size(row_dim)), std::size_t(host.size(row_dim + 1)),
                             std::size_t(channels), host.stride(row_dim), host.stride(row_dim + 1),
                             channel_dim < 0 ? 0 : host.stride(channel_dim)),
                 file_type, normalize, {api, "image"});
}

/// masks_from_logits with the device step given (tests pass a fake; see TensorTransfer).
inline std::vector<ImageMask<std::uint8_t>> masks_from_logits_with(const at::Tensor& logits,
                                                                   std::optional<ClassLabels> class_labels,
                                                                   const TensorTransfer& transfer) {
    static constexpr const char* api = "wandb::masks_from_logits";
    const std::string who = api;
    check_tensor(logits, api);
    if (logits.dim() != 4)
        throw ValidationError(who + ": logits are an N x C x H x W tensor, got a " + std::to_string(logits.dim()) +
                              "-D tensor of shape " + tensor_shape(logits) +
                              (logits.dim() == 3 ? "; for one image pass logits.unsqueeze(0)" : ""));
    const at::ScalarType dtype = logits.scalar_type();
    if (dtype == at::kBool || at::isComplexType(dtype) || !(at::isFloatingType(dtype) || at::isIntegralType(dtype, false)))
        throw ValidationError(who + ": logits hold real numbers, got a tensor of " + dtype_name(dtype));
    if (logits.size(1) > 256)
        throw ValidationError(who + ": logits have " + std::to_string(logits.size(1)) +
                              " classes in dimension 1; mask ids are 0..255, so at most 256 classes");
    if (logits.numel() == 0) throw ValidationError(who + ": logits are empty, shape " + tensor_shape(logits));
    at::Tensor ids;
    try {
        const c10::NoGradGuard no_grad;  // argmax needs no graph; logits straight from a model may require grad
        ids = logits.argmax(1).to(at::kByte);  // N x H x W on the logits' device; exact: ids < 256
    } catch (const c10::Error& e) {
        throw ValidationError(who + ": cannot take the argmax on " + logits.device().str() + ": " +
                              e.what_without_backtrace());
    }
    const at::Tensor host = transfer.on_host(ids) ? ids : copy_to_host(ids, transfer, api);
    const auto batch = std::make_shared<const at::Tensor>(host);  // one owner for every mask of the batch
    const auto* base = static_cast<const std::uint8_t*>(host.data_ptr());
    std::vector<ImageMask<std::uint8_t>> masks;
    masks.reserve(std::size_t(host.size(0)));
    for (std::int64_t n = 0; n < host.size(0); ++n)
        masks.emplace_back(tensor_view(host, PixelType::u8, std::size_t(host.size(1)), std::size_t(host.size(2)), 1,
                                       host.stride(1), host.stride(2), 0, base + n * host.stride(0), batch),
                           class_labels, Caller{api, "mask"});
    return masks;
}

}  // namespace detail

/// A mask from a 2-D integer tensor of class ids, the C++ `wandb.ImageMask({"mask_data": t})`:
/// uint8, int8, int16, int32, int64 or bool, any strides. A CPU tensor is validated and later
/// encoded from its own memory, with no copy; the mask holds a reference to the tensor, so the
/// caller may drop theirs. A tensor on another device is checked there (0..255), narrowed to
/// uint8 there and copied to the host once.
/// \param labels  H x W class ids, each in 0..255.
/// \param class_labels  id -> name, ids 0..255; defaults to "class_<id>" for each id present.
/// \throws wandb::ValidationError  if the tensor is undefined, not dense, on the meta device, not
///         2-D, of a float or other dtype, empty, holds a value outside 0..255 (the value, row and
///         column are named), if the copy to the host fails, or a label is bad.
inline ImageMask<std::uint8_t> mask_from_tensor(const at::Tensor& labels,
                                                std::optional<ClassLabels> class_labels = std::nullopt) {
    return detail::mask_from_tensor_with(labels, std::move(class_labels), detail::TensorTransfer{});
}

/// An image from a tensor, the C++ `wandb.Image(tensor)`: H x W (gray), or 3-D with 1, 3 or 4
/// channels where `layout` says (C x H x W by default, as the SDK), any strides. uint8 pixels on
/// the CPU are validated and later encoded from the tensor's own memory, interleaved row by row
/// from planar C x H x W, with no copy (the image holds a reference to the tensor); float32 and
/// float64 (and other integer) pixels are converted to 8 bits now by Normalize's rule, which
/// allocates the 8-bit image. A tensor on another device is copied to the host once, as it is.
/// \throws wandb::ValidationError  if the tensor is undefined, not dense, on the meta device,
///         requires grad (call .detach()), is not 2-D or 3-D, has 2 or more than 4 channels, has
///         a dtype other than uint8, int8..int64, bool, float32, float64, is empty, holds a NaN or
///         infinite value, or with Normalize::off a value outside 0..255; or the copy fails.
inline Image image_from_tensor(const at::Tensor& pixels, TensorLayout layout = TensorLayout::chw,
                               ImageFormat file_type = ImageFormat::png, Normalize normalize = Normalize::on) {
    return detail::image_from_tensor_with(pixels, layout, file_type, normalize, detail::TensorTransfer{});
}

/// The predicted masks of a batch of logits, N x C x H x W -> N masks of H x W: the argmax over
/// the C classes (at most 256), taken on the logits' device, narrowed to uint8 there and copied
/// to the host once for the whole batch; each mask reads its slice of that one buffer. Logits
/// that require grad are fine (the argmax is taken without a graph).
/// \param class_labels  id -> name for every mask; defaults to "class_<id>" for each id present.
/// \throws wandb::ValidationError  if the tensor is undefined, not dense, on the meta device, not
///         4-D, not real-valued, has more than 256 classes or no element; or the copy fails.
inline std::vector<ImageMask<std::uint8_t>> masks_from_logits(const at::Tensor& logits,
                                                              std::optional<ClassLabels> class_labels = std::nullopt) {
    return detail::masks_from_logits_with(logits, std::move(class_labels), detail::TensorTransfer{});
}

WANDB_NAMESPACE_END
