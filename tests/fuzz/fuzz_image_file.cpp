// Fuzz target: the bytes of an image file, through exactly what wandb::Image(path) runs (read,
// format from the signature, PNG chunk checks, JPEG markers, BMP headers, the match with the
// extension, and the full decode by stb). The first input byte picks the file's extension, the rest is its content.
// Anything but wandb::ValidationError escaping, a crash, a leak or an allocation over the limit
// is a failure.
#include <cstring>
#include <string>

#include <wandb/wandb.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const char* const extensions[] = {".png", ".jpg", ".jpeg", ".bmp", ".PNG", ".JPG", ".gif", ""};
    if (size == 0) return 0;
    const std::string extension = extensions[data[0] % 8];
    const auto path = wandb_fuzz::write_scratch("image" + extension, data + 1, size - 1);
    try {
        const wandb::Image image(path);
        WANDB_FUZZ_CHECK(!extension.empty() && image.format() == extension.substr(1));
        WANDB_FUZZ_CHECK(image.width() >= 1 && image.width() <= 65500);
        WANDB_FUZZ_CHECK(image.height() >= 1 && image.height() <= 65500);
        WANDB_FUZZ_CHECK(image.file_bytes() && image.file_bytes()->size() == size - 1);
        WANDB_FUZZ_CHECK(size == 1 || std::memcmp(image.file_bytes()->data(), data + 1, size - 1) == 0);
        // Logging an image from a file logs the file's bytes as they are.
        const auto encoded = wandb::detail::encode_image(image);
        WANDB_FUZZ_CHECK(encoded.bytes == image.file_bytes());
    } catch (const wandb::ValidationError&) {
    }
    return 0;
}
