// Logs a list of images under one key, each with a caption and a predicted mask: the SDK's
// `wandb.log({"examples": [wandb.Image(...), ...]})`, which the UI shows as one panel.
//
// Usage: log_image_list FILES_DIR
// Writes the media files below FILES_DIR (a run's files/ directory) and prints one JSON object:
// {"history": {"examples": <images/separated payload>}, "config": {"_wandb": {"mask/class_labels": {...}}}}
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include <wandb/wandb.hpp>

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: log_image_list FILES_DIR\n";
        return 2;
    }
    const wandb::ClassLabels class_labels = {{0, "background"}, {1, "object"}};

    // images = [wandb.Image(image, caption=f"Pred: {pred}, Label: {label}", masks=...) for ...]
    std::vector<wandb::Image> images;
    for (std::size_t i = 0; i < 4; ++i) {
        // A 64x64 grey ramp, brighter with i, holding a square "object" whose corner moves with i.
        xt::xtensor<std::uint8_t, 2> image = xt::zeros<std::uint8_t>({64, 64});
        xt::xtensor<std::uint8_t, 2> prediction = xt::zeros<std::uint8_t>({64, 64});
        for (std::size_t r = 0; r < 64; ++r)
            for (std::size_t c = 0; c < 64; ++c) {
                image(r, c) = static_cast<std::uint8_t>(40 * i + r + c);
                const bool inside = r >= 8 * i && r < 8 * i + 24 && c >= 8 * i && c < 8 * i + 24;
                prediction(r, c) = inside ? 1 : 0;
            }
        const int pred = i % 2 == 0 ? 1 : 0, label = 1;
        images.push_back(wandb::Image(image)
                             .with_caption("Pred: " + std::to_string(pred) + ", Label: " + std::to_string(label))
                             .with_mask("prediction", wandb::ImageMask(prediction, class_labels)));
    }

    // wandb.log({"examples": images}) at step 0, into FILES_DIR:
    const wandb::RunPayload logged = wandb::bind_to_run(images, {argv[1], "examples", 0});

    wandb::Json wandb_config;
    wandb::add_class_label_singletons(wandb_config, logged.singletons);
    wandb::Json out;
    out["history"]["examples"] = logged.value;
    out["config"]["_wandb"] = wandb_config;
    std::cout << out.dump() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
