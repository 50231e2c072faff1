// Logs one image with predicted and ground-truth segmentation masks: W&B's ImageMask example, ported line by line.
//
// Usage: log_masked_image FILES_DIR
// Writes the media files below FILES_DIR (a run's files/ directory) and prints one JSON object:
// {"history": {"img_with_masks": <payload>}, "config": {"_wandb": {"mask/class_labels": {...}}}}
#include <cstdint>
#include <iostream>

#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <wandb/wandb.hpp>

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: log_masked_image FILES_DIR\n";
        return 2;
    }
    using namespace xt::placeholders;  // `_`, as in numpy's `[:50]`
    xt::random::seed(0);  // numpy's example is unseeded; a fixed seed makes the output reproducible

    // image = np.random.randint(low=0, high=256, size=(100, 100, 3), dtype=np.uint8)
    xt::xtensor<std::uint8_t, 3> image = xt::cast<std::uint8_t>(xt::random::randint<int>({100, 100, 3}, 0, 256));
    xt::xtensor<std::uint8_t, 2> predicted_mask = xt::empty<std::uint8_t>({100, 100});
    xt::xtensor<std::uint8_t, 2> ground_truth_mask = xt::empty<std::uint8_t>({100, 100});

    xt::view(predicted_mask, xt::range(_, 50), xt::range(_, 50)) = 0;
    xt::view(predicted_mask, xt::range(50, _), xt::range(_, 50)) = 1;
    xt::view(predicted_mask, xt::range(_, 50), xt::range(50, _)) = 2;
    xt::view(predicted_mask, xt::range(50, _), xt::range(50, _)) = 3;

    xt::view(ground_truth_mask, xt::range(_, 25), xt::range(_, 25)) = 0;
    xt::view(ground_truth_mask, xt::range(25, _), xt::range(_, 25)) = 1;
    xt::view(ground_truth_mask, xt::range(_, 25), xt::range(25, _)) = 2;
    xt::view(ground_truth_mask, xt::range(25, _), xt::range(25, _)) = 3;

    const wandb::ClassLabels class_labels = {{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}};

    auto masked_image = wandb::Image(image)
                            .with_mask("predictions", wandb::ImageMask(predicted_mask, class_labels))
                            .with_mask("ground_truth", wandb::ImageMask(ground_truth_mask, class_labels));

    // run.log({"img_with_masks": masked_image}) at step 0, into FILES_DIR:
    const wandb::RunPayload logged = wandb::bind_to_run(masked_image, {argv[1], "img_with_masks", 0});

    wandb::Json wandb_config;
    wandb::add_class_label_singletons(wandb_config, logged.singletons);
    wandb::Json out;
    out["history"]["img_with_masks"] = logged.value;
    out["config"]["_wandb"] = wandb_config;
    std::cout << out.dump() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
