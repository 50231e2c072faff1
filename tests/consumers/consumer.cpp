// A user's program, built by every consumer project: writes a mask PNG, reads it back as an
// ImageMask (stb decodes it), logs it over a JPEG image (stb encodes it) into a fresh directory
// below $WANDB_TEST_TMPDIR, and checks the payload and the files it names. Prints "consumer OK".
#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

int fail(const std::string& why) {
    std::cerr << "consumer FAILED: " << why << "\n";
    return 1;
}

}  // namespace

int main() {
    const char* env = std::getenv("WANDB_TEST_TMPDIR");
    const fs::path base = env && *env ? fs::path(env) : fs::temp_directory_path();
    fs::create_directories(base);
    std::string name = (base / "wandb-consumer-XXXXXX").string();
    if (!::mkdtemp(name.data())) {
        std::perror("consumer: mkdtemp");
        return 1;
    }
    const fs::path dir = name;

    xt::xtensor<std::uint8_t, 2> labels = xt::zeros<std::uint8_t>({8, 8});
    xt::view(labels, xt::range(2, 6), xt::range(3, 7)) = 3;
    const auto png = wandb::encode_png({labels.data(), 8, 8, 1, 8});
    {
        std::ofstream out(dir / "mask.png", std::ios::binary);
        out.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
    }
    const wandb::ImageMask from_file(dir / "mask.png", wandb::ClassLabels{{3, "car"}});
    if (from_file.mask_data() != labels) return fail("the mask read back from mask.png differs");

    const auto image = wandb::Image(xt::xtensor<float, 2>(labels) / 3.0f, wandb::ImageFormat::jpg)
                           .with_mask("predictions", from_file);
    const wandb::RunPayload out = wandb::bind_to_run(image, {dir / "files", "consumer", 0});
    std::cout << out.value.dump() << "\n";
    const auto jpg = read_bytes(dir / "files" / std::string(out.value["path"]));
    const auto mask = read_bytes(dir / "files" / std::string(out.value["masks"]["predictions"]["path"]));
    const bool is_jpeg = jpg.size() > 3 && jpg[0] == 0xFF && jpg[1] == 0xD8 && jpg[2] == 0xFF;
    fs::remove_all(dir);
    if (out.value["format"] != "jpg" || !is_jpeg) return fail("the image file is not a JPEG");
    if (mask != png) return fail("the logged mask file is not the mask file read");
    std::cout << "consumer OK\n";
    return 0;
}
