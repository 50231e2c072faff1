// Fuzz target: the bytes of a mask file, through exactly what wandb::ImageMask(path) runs (read,
// PNG header and chunk checks, size bounds, decoding) and what logging does with the mask.
// Anything but wandb::ValidationError escaping, a crash, a leak or an allocation over the limit
// is a failure.
#include <cstring>

#include <wandb/wandb.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = wandb_fuzz::write_scratch("mask.png", data, size);
    try {
        const wandb::ImageMask mask(path);
        WANDB_FUZZ_CHECK(mask.height() >= 1 && mask.height() <= 65500);
        WANDB_FUZZ_CHECK(mask.width() >= 1 && mask.width() <= 65500);
        WANDB_FUZZ_CHECK(mask.file_bytes() && mask.file_bytes()->size() == size);
        WANDB_FUZZ_CHECK(size == 0 || std::memcmp(mask.file_bytes()->data(), data, size) == 0);
        bool present[256] = {};
        for (const std::uint8_t v : mask.mask_data()) present[v] = true;
        for (const auto& [id, name] : mask.class_labels())
            WANDB_FUZZ_CHECK(id >= 0 && id <= 255 && present[id] && name == "class_" + std::to_string(id));
        // Logging a mask from a file logs the file's bytes as they are.
        const auto encoded = wandb::detail::encode_mask(mask);
        WANDB_FUZZ_CHECK(encoded.bytes == mask.file_bytes());
        WANDB_FUZZ_CHECK(encoded.extension == ".png");
    } catch (const wandb::ValidationError&) {
    }
    return 0;
}
