// A user's program: includes the umbrella header, logs a masked image into a temporary files
// directory, and checks that the payload names a file that exists.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <wandb/wandb.hpp>

int main() {
    const auto dir = std::filesystem::temp_directory_path() / ("wandb-consumer-" + std::to_string(std::rand()));
    xt::xtensor<std::uint8_t, 2> labels = xt::zeros<std::uint8_t>({8, 8});
    labels(4, 4) = 3;
    const auto image = wandb::Image(xt::xtensor<float, 2>(labels) / 3.0f)
                           .with_mask("predictions", wandb::ImageMask(labels, wandb::ClassLabels{{3, "car"}}));
    const auto out = wandb::bind_to_run(image, {dir, "consumer", 0});
    const bool ok = std::filesystem::exists(dir / std::string(out.value["masks"]["predictions"]["path"]));
    std::cout << out.value.dump() << "\n" << (ok ? "consumer OK" : "consumer: mask file missing") << "\n";
    std::filesystem::remove_all(dir);
    return ok ? 0 : 1;
}
