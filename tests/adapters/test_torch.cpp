// Tests for torch.hpp: masks from every integer dtype and images from C x H x W / H x W x C
// tensors of any strides, decoded and compared with the values LibTorch itself converts; read in
// place (data pointers, no large allocation); the device path through a fake transfer (there is
// no GPU here): one copy, narrowed to uint8 first, the range checked before it; the batch
// argmax helper; the exact error for every refusal.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include <wandb/torch.hpp>

// Debian's LibTorch is built with glog, whose CHECK(condition) replaces Catch's CHECK(...):
// LibTorch first, then Catch's macros.
#undef CHECK
#include <catch2/catch.hpp>

#include "adapters/adapter_support.hpp"
#include "adapters/allocation_counter.hpp"

using Catch::Message;
using wandb_test::decoded_image;
using wandb_test::decoded_mask;

namespace {

/// A tensor's values in row-major order of its (logical) indices, as LibTorch converts them.
std::vector<std::uint8_t> values_of(const at::Tensor& t) {
    const at::Tensor c = t.to(at::kInt).contiguous();
    const int* p = c.data_ptr<int>();
    return std::vector<std::uint8_t>(p, p + c.numel());
}

/// A transfer that says every tensor is on a device and records what it copies to the host.
struct FakeDevice {
    std::vector<at::Tensor> copied;
    wandb::detail::TensorTransfer transfer() {
        wandb::detail::TensorTransfer t;
        t.on_host = [](const at::Tensor&) { return false; };
        t.to_host = [this](const at::Tensor& x) {
            copied.push_back(x);
            return x.clone();  // new memory: the "host" copy
        };
        return t;
    }
};

/// 40 x 50 labels (r * 7 + c * 3) % 251 of `dtype` (bools: odd values).
at::Tensor labels(at::ScalarType dtype) {
    const at::Tensor r = at::arange(40, at::kLong).unsqueeze(1), c = at::arange(50, at::kLong).unsqueeze(0);
    const at::Tensor v = (r * 7 + c * 3) % 251;
    if (dtype == at::kBool) return (v % 2).to(at::kBool);
    if (dtype == at::kChar) return (v % 128).to(dtype);
    return v.to(dtype);
}

}  // namespace

TEST_CASE("mask_from_tensor reads every integer dtype in place, through any strides", "[torch][mask]") {
    for (const auto dtype : {at::kByte, at::kChar, at::kShort, at::kInt, at::kLong, at::kBool}) {
        const at::Tensor base = labels(dtype);
        const std::vector<std::pair<const char*, at::Tensor>> sources = {
            {"contiguous", base},
            {"transposed", base.t()},
            {"sliced with a step", base.slice(0, 3, 23).slice(1, 5, 45, 2)},
            {"expanded (row stride 0)", base[7].expand({30, 50})},
        };
        for (const auto& [name, t] : sources) {
            INFO(wandb::detail::dtype_name(dtype) << ", " << name);
            const auto mask = wandb::mask_from_tensor(t);
            CHECK(mask.view().data == t.data_ptr());  // the tensor's own memory
            CHECK(mask.height() == std::size_t(t.size(0)));
            CHECK(mask.width() == std::size_t(t.size(1)));
            CHECK(decoded_mask(mask).pixels == values_of(t));
        }
    }
}

TEST_CASE("mask_from_tensor keeps the tensor alive after the caller drops it", "[torch][mask]") {
    std::optional<wandb::ImageMask<std::uint8_t>> mask;
    std::vector<std::uint8_t> expected;
    {
        const at::Tensor t = labels(at::kLong).t();
        expected = values_of(t);
        mask.emplace(wandb::mask_from_tensor(t, wandb::ClassLabels{{0, "background"}}));
    }
    CHECK(decoded_mask(*mask).pixels == expected);
    CHECK(mask->class_labels() == wandb::ClassLabels{{0, "background"}});
}

TEST_CASE("a 1024 x 1024 int64 mask and uint8 C x H x W image from tensors are encoded with no copy", "[torch][zero_copy]") {
    if (!wandb_test::CountLargeAllocations::available())
        WARN("allocations are not counted in this build (AddressSanitizer owns operator new); the pointer checks still run");
    const at::Tensor r = at::arange(1024, at::kLong).unsqueeze(1), c = at::arange(1024, at::kLong).unsqueeze(0);
    const at::Tensor ids = r.div(128, "floor") * 8 + c.div(128, "floor");  // int64, as argmax returns
    const at::Tensor pixels = at::stack({r.expand({1024, 1024}) % 256, c.expand({1024, 1024}) % 256, (r + c) % 256})
                                  .to(at::kByte)
                                  .contiguous();  // 3 x 1024 x 1024, planar
    const wandb_test::CountLargeAllocations large(1024 * 1024 / 2);
    const auto image = wandb::image_from_tensor(pixels).with_mask("ids", wandb::mask_from_tensor(ids));
    const auto encoded = wandb::detail::encode_all(image);
    INFO("largest allocation " << large.largest() << " bytes");
    CHECK((large.count() == 0 || !large.available()));
    CHECK(image.pixel_view()->data == pixels.data_ptr());
    CHECK(image.masks()[0].second->view().data == ids.data_ptr());
    CHECK(wandb_test::decode(*encoded.masks[0].bytes).pixels == values_of(ids));
}

TEST_CASE("image_from_tensor reads uint8 C x H x W and H x W x C tensors in place", "[torch][image]") {
    const at::Tensor hwc = (at::arange(20 * 30 * 4, at::kLong).reshape({20, 30, 4}) * 37 % 256).to(at::kByte);
    for (const std::int64_t channels : {1, 3, 4}) {
        const at::Tensor h = hwc.slice(2, 0, channels);
        const std::vector<std::uint8_t> expected = values_of(h);  // row, column, channel
        INFO(channels << " channels");
        const auto from_hwc = wandb::image_from_tensor(h, wandb::TensorLayout::hwc);
        CHECK(from_hwc.pixel_view()->data == h.data_ptr());
        CHECK(decoded_image(from_hwc).pixels == expected);
        const at::Tensor planar = h.permute({2, 0, 1}).contiguous();  // C x H x W memory
        const auto from_chw = wandb::image_from_tensor(planar);
        CHECK(from_chw.pixel_view()->data == planar.data_ptr());
        CHECK(from_chw.pixel_view()->channel_stride == 20 * 30);
        const auto decoded = decoded_image(from_chw);
        CHECK(decoded.channels == channels);
        CHECK(decoded.pixels == expected);
    }
    const at::Tensor gray = hwc.select(2, 1);  // H x W, column stride 4
    CHECK(decoded_image(wandb::image_from_tensor(gray)).pixels == values_of(gray));
}

TEST_CASE("image_from_tensor converts float tensors by the SDK's rule", "[torch][image]") {
    const at::Tensor unit = at::arange(3 * 8 * 9, at::kFloat).reshape({3, 8, 9}) / float(3 * 8 * 9 - 1);
    std::vector<std::uint8_t> expected;
    const at::Tensor hwc = unit.permute({1, 2, 0}).contiguous();
    const float* p = hwc.data_ptr<float>();
    for (std::int64_t i = 0; i < hwc.numel(); ++i) expected.push_back(std::uint8_t(p[i] * 255.0f));
    CHECK(decoded_image(wandb::image_from_tensor(unit)).pixels == expected);

    const at::Tensor wide = at::arange(8 * 9, at::kDouble).reshape({8, 9, 1}) * 5.5 - 20;  // clipped to [0, 255]
    std::vector<std::uint8_t> clipped;
    for (std::int64_t i = 0; i < 8 * 9; ++i) clipped.push_back(std::uint8_t(std::min(std::max(i * 5.5 - 20, 0.0), 255.0)));
    CHECK(decoded_image(wandb::image_from_tensor(wide, wandb::TensorLayout::hwc)).pixels == clipped);
}

TEST_CASE("masks_from_logits takes the argmax of each image of the batch into one host buffer", "[torch][logits]") {
    at::manual_seed(3);
    const at::Tensor logits = at::randn({2, 3, 5, 7}).set_requires_grad(true);  // straight from a model
    const auto masks = wandb::masks_from_logits(logits, wandb::ClassLabels{{0, "bg"}, {1, "circle"}, {2, "square"}});
    REQUIRE(masks.size() == 2);
    const at::Tensor values = logits.detach().contiguous();
    const float* v = values.data_ptr<float>();
    for (std::size_t n = 0; n < 2; ++n) {
        std::vector<std::uint8_t> expected;
        for (int r = 0; r < 5; ++r)
            for (int c = 0; c < 7; ++c) {
                int best = 0;
                for (int k = 1; k < 3; ++k)
                    if (v[((n * 3 + k) * 5 + r) * 7 + c] > v[((n * 3 + best) * 5 + r) * 7 + c]) best = k;
                expected.push_back(std::uint8_t(best));
            }
        CHECK(decoded_mask(masks[n]).pixels == expected);
        CHECK(masks[n].class_labels() == wandb::ClassLabels{{0, "bg"}, {1, "circle"}, {2, "square"}});
    }
    CHECK(static_cast<const std::uint8_t*>(masks[1].view().data) ==
          static_cast<const std::uint8_t*>(masks[0].view().data) + 5 * 7);
}

TEST_CASE("a mask on a device is checked there, narrowed there and copied to the host once", "[torch][device]") {
    FakeDevice device;
    const at::Tensor t = labels(at::kLong).t();
    const auto mask = wandb::detail::mask_from_tensor_with(t, std::nullopt, device.transfer());
    REQUIRE(device.copied.size() == 1);
    CHECK(device.copied[0].scalar_type() == at::kByte);  // 1 byte per label crossed, not 8
    CHECK(device.copied[0].numel() * device.copied[0].element_size() == 50 * 40);
    CHECK(mask.view().data != t.data_ptr());
    CHECK(decoded_mask(mask).pixels == values_of(t));

    at::Tensor bad = at::zeros({6, 6}, at::kLong);
    bad[3][0] = 300;
    bad[4][5] = -1;
    FakeDevice refused;
    CHECK_THROWS_MATCHES(wandb::detail::mask_from_tensor_with(bad, std::nullopt, refused.transfer()),
                         wandb::ValidationError,
                         Message("wandb::mask_from_tensor: mask value 300 at row 3, column 0 is outside 0..255"));
    CHECK(refused.copied.empty());  // refused before anything was copied

    FakeDevice bytes;
    const auto narrow = wandb::detail::mask_from_tensor_with(labels(at::kByte), std::nullopt, bytes.transfer());
    REQUIRE(bytes.copied.size() == 1);
    CHECK(bytes.copied[0].scalar_type() == at::kByte);
    CHECK(decoded_mask(narrow).pixels == values_of(labels(at::kByte)));
}

TEST_CASE("images and logits on a device are copied to the host once", "[torch][device]") {
    FakeDevice device;
    const at::Tensor unit = at::arange(3 * 4 * 5, at::kFloat).reshape({3, 4, 5}) / 59.0f;
    const auto image = wandb::detail::image_from_tensor_with(unit, wandb::TensorLayout::chw, wandb::ImageFormat::png,
                                                             wandb::Normalize::on, device.transfer());
    REQUIRE(device.copied.size() == 1);
    CHECK(device.copied[0].scalar_type() == at::kFloat);
    CHECK(decoded_image(image).pixels == decoded_image(wandb::image_from_tensor(unit)).pixels);

    FakeDevice batch;
    at::manual_seed(1);
    const at::Tensor logits = at::randn({3, 4, 6, 8});
    const auto masks = wandb::detail::masks_from_logits_with(logits, std::nullopt, batch.transfer());
    REQUIRE(batch.copied.size() == 1);  // the whole batch at once
    CHECK(batch.copied[0].scalar_type() == at::kByte);
    CHECK(batch.copied[0].sizes() == at::IntArrayRef{3, 6, 8});
    REQUIRE(masks.size() == 3);
    const auto on_host = wandb::masks_from_logits(logits);
    for (std::size_t n = 0; n < 3; ++n) CHECK(decoded_mask(masks[n]).pixels == decoded_mask(on_host[n]).pixels);
}

TEST_CASE("a failed copy to the host and a meta tensor are refused as ValidationError", "[torch][device][errors]") {
    std::string torch_text;
    try {
        TORCH_CHECK(false, "device lost");
    } catch (const c10::Error& e) {
        torch_text = e.what_without_backtrace();
    }
    wandb::detail::TensorTransfer failing;
    failing.on_host = [](const at::Tensor&) { return false; };
    failing.to_host = [](const at::Tensor&) -> at::Tensor { TORCH_CHECK(false, "device lost"); };
    CHECK_THROWS_MATCHES(wandb::detail::mask_from_tensor_with(labels(at::kByte), std::nullopt, failing),
                         wandb::ValidationError,
                         Message("wandb::mask_from_tensor: cannot copy the tensor from cpu to the host: " + torch_text));
    const at::Tensor meta = at::empty({4, 4}, at::TensorOptions().dtype(at::kLong).device(at::kMeta));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(meta), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: the tensor is on the meta device, which holds no data"));
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(meta.to(at::kFloat)), wandb::ValidationError,
                         Message("wandb::image_from_tensor: the tensor is on the meta device, which holds no data"));
}

TEST_CASE("mask_from_tensor refuses what it cannot log, with the exact reason", "[torch][errors]") {
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(at::Tensor()), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: the tensor is undefined"));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(at::zeros({1, 4, 4}, at::kLong)), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: a mask is a 2-D tensor (H x W), got a 3-D tensor of shape "
                                 "(1, 4, 4); index one mask of a batch (labels[0]), or use masks_from_logits for N x C "
                                 "x H x W logits"));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(at::zeros({4}, at::kLong)), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: a mask is a 2-D tensor (H x W), got a 1-D tensor of shape (4,)"));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(at::zeros({4, 4})), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: a mask holds integers, got a tensor of torch::kFloat32; use "
                                 "masks_from_logits for logits, or .round().to(torch::kUInt8) for class ids"));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(at::zeros({4, 4}, at::kLong).to_sparse()), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: the tensor is not dense (layout Sparse); convert it with "
                                 ".to_dense()"));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(at::zeros({0, 5}, at::kLong)), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: mask is empty, shape (0, 5)"));
    at::Tensor bad = at::zeros({6, 6}, at::kShort);
    bad[4][0] = 300;
    bad[0][1] = -1;
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(bad.t()), wandb::ValidationError,  // (0, 1) of bad is (1, 0) of bad.t()
                         Message("wandb::mask_from_tensor: mask value 300 at row 0, column 4 is outside 0..255"));
    CHECK_THROWS_MATCHES(wandb::mask_from_tensor(bad), wandb::ValidationError,
                         Message("wandb::mask_from_tensor: mask value -1 at row 0, column 1 is outside 0..255"));
}

TEST_CASE("image_from_tensor and masks_from_logits refuse what they cannot log, with the exact reason", "[torch][errors]") {
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(at::rand({3, 4, 4}).set_requires_grad(true)), wandb::ValidationError,
                         Message("wandb::image_from_tensor: the tensor requires grad; call .detach() on it first"));
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(at::zeros({2, 3, 4, 4})), wandb::ValidationError,
                         Message("wandb::image_from_tensor: an image is a 2-D (H x W) or 3-D (C x H x W) tensor, got a "
                                 "4-D tensor of shape (2, 3, 4, 4); log one image of a batch (pixels[0])"));
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(at::zeros({5, 4, 4})), wandb::ValidationError,
                         Message("wandb::image_from_tensor: a C x H x W image has 1, 3 or 4 channels in dimension 0, got "
                                 "shape (5, 4, 4)"));
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(at::zeros({4, 4, 2}), wandb::TensorLayout::hwc), wandb::ValidationError,
                         Message("wandb::image_from_tensor: an H x W x C image has 1, 3 or 4 channels in dimension 2, "
                                 "got shape (4, 4, 2)"));
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(at::zeros({3, 4, 4}, at::kHalf)), wandb::ValidationError,
                         Message("wandb::image_from_tensor: an image holds uint8 or float values, got a tensor of "
                                 "torch::kFloat16; convert it with .to(torch::kFloat32)"));
    at::Tensor nan = at::full({3, 4, 4}, 0.5);
    nan[0][1][2] = std::nanf("");
    CHECK_THROWS_MATCHES(wandb::image_from_tensor(nan), wandb::ValidationError,
                         Message("wandb::image_from_tensor: pixel value nan at row 1, column 2, channel 0 is not finite"));
    CHECK_THROWS_MATCHES(wandb::masks_from_logits(at::zeros({3, 4, 4})), wandb::ValidationError,
                         Message("wandb::masks_from_logits: logits are an N x C x H x W tensor, got a 3-D tensor of "
                                 "shape (3, 4, 4); for one image pass logits.unsqueeze(0)"));
    CHECK_THROWS_MATCHES(wandb::masks_from_logits(at::zeros({1, 257, 2, 2})), wandb::ValidationError,
                         Message("wandb::masks_from_logits: logits have 257 classes in dimension 1; mask ids are 0..255, "
                                 "so at most 256 classes"));
    CHECK_THROWS_MATCHES(wandb::masks_from_logits(at::zeros({1, 2, 2, 2}, at::kBool)), wandb::ValidationError,
                         Message("wandb::masks_from_logits: logits hold real numbers, got a tensor of torch::kBool"));
    CHECK_THROWS_MATCHES(wandb::masks_from_logits(at::zeros({0, 2, 2, 2})), wandb::ValidationError,
                         Message("wandb::masks_from_logits: logits are empty, shape (0, 2, 2, 2)"));
}
