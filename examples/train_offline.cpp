// A toy training loop logged to an offline W&B run: loss and accuracy every step, masked validation images every epoch.
//
// Usage: train_offline ROOT
// Writes ROOT/wandb/offline-run-<time>-<id>/ and prints that directory as the last line;
// upload it with `wandb sync <dir>` wherever the W&B CLI is installed.
#include <cmath>
#include <cstdint>
#include <iostream>

#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <wandb/wandb.hpp>

namespace {

/// The seed example's masks: class 0 top-left, 1 bottom-left, 2 top-right, 3 bottom-right of `split`.
xt::xtensor<std::uint8_t, 2> quadrant_mask(std::size_t split) {
    using namespace xt::placeholders;
    xt::xtensor<std::uint8_t, 2> mask = xt::empty<std::uint8_t>({100, 100});
    xt::view(mask, xt::range(_, split), xt::range(_, split)) = 0;
    xt::view(mask, xt::range(split, _), xt::range(_, split)) = 1;
    xt::view(mask, xt::range(_, split), xt::range(split, _)) = 2;
    xt::view(mask, xt::range(split, _), xt::range(split, _)) = 3;
    return mask;
}

/// A scene to segment: each class painted in its own colour, plus noise.
xt::xtensor<std::uint8_t, 3> render(const xt::xtensor<std::uint8_t, 2>& classes) {
    const xt::xtensor<float, 2> palette = {{220, 80, 60}, {40, 160, 60}, {60, 90, 200}, {120, 120, 120}};
    xt::xtensor<float, 3> scene = xt::random::randn<float>({100, 100, 3}, 0.f, 12.f);
    for (std::size_t r = 0; r < 100; ++r)
        for (std::size_t c = 0; c < 100; ++c)
            for (std::size_t k = 0; k < 3; ++k) scene(r, c, k) += palette(classes(r, c), k);
    return xt::cast<std::uint8_t>(xt::clip(scene, 0.f, 255.f));
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: train_offline ROOT\n";
        return 2;
    }
    xt::random::seed(7);
    wandb::OfflineRunOptions options;
    options.root = argv[1];
    options.project = "wandb-imagemask-demo";
    options.job_type = "train";
    options.tags = {"cpp", "offline"};
    options.config = {{"learning_rate", 0.01}, {"epochs", 5}, {"steps_per_epoch", 20}};
    wandb::OfflineRun run(options);

    const wandb::ClassLabels class_labels = {{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}};
    const auto ground_truth = quadrant_mask(25);
    const auto scene = render(ground_truth);

    double loss = 2.0;
    for (int epoch = 0; epoch < 5; ++epoch) {
        for (int batch = 0; batch < 20; ++batch) {
            loss *= 0.97;
            const double accuracy = 1.0 - loss / 2.5;
            wandb::Row row = {{"loss", loss}, {"accuracy", accuracy}, {"epoch", epoch}};
            if (batch == 19) {  // end of epoch: the prediction's boundary moves toward the truth
                const auto predicted = quadrant_mask(50 - 5 * static_cast<std::size_t>(epoch));
                row.emplace_back("val/examples",
                                 wandb::Image(scene)
                                     .with_mask("predictions", wandb::ImageMask(predicted, class_labels))
                                     .with_mask("ground_truth", wandb::ImageMask(ground_truth, class_labels))
                                     .with_caption("epoch " + std::to_string(epoch)));
            }
            run.log(row);
        }
    }
    run.update_summary({{"best_accuracy", 1.0 - loss / 2.5}});
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
