// Logs a masked image inside a Table: W&B's second ImageMask example, ported line by line.
//
// Usage: log_masked_table ROOT
// Creates ROOT/wandb/offline-run-<time>-<id>/ holding the run_table artifact (staged below the run
// directory, recorded in the .wandb log), the run-side media/table/random_field_0_<sha>.table.json
// and its history value, and prints that directory as the last line; upload with `wandb sync`.
#include <cstdint>
#include <iostream>

#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include <wandb/wandb.hpp>

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: log_masked_table ROOT\n";
        return 2;
    }
    using namespace xt::placeholders;  // `_`, as in numpy's `[:50]`
    xt::random::seed(0);  // numpy's example is unseeded; a fixed seed makes the output reproducible

    // run = wandb.init()  (offline, below ROOT)
    wandb::OfflineRunOptions options;
    options.project = "image_mask_example";
    options.root = argv[1];
    wandb::OfflineRun run(options);

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

    const wandb::Classes class_set = {{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}};

    auto masked_image = wandb::Image(image)
                            .with_mask("predictions", wandb::ImageMask(predicted_mask, class_labels))
                            .with_mask("ground_truth", wandb::ImageMask(ground_truth_mask, class_labels))
                            .with_classes(class_set);

    wandb::Table table({"image"});
    table.add_data({masked_image});
    run.log({{"random_field", table}});
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
