// Logs the runs the browser test opens the report of (tests/browser/test_report.py):
//   report_fixture ROOT          a small run: 5 steps of a 100x100 image with the seed's quadrant
//                                masks and two boxes, a scalar or three, an image list at step 2
//                                and a table at step 4;
//   report_fixture ROOT --large  100 steps of 5 masked 128x128 images each (500 images, 1000 masks).
// Prints the run directory. The pixels and labels here are what the test expects; keep both in step.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

#include "support/seed_fixtures.hpp"

namespace {

using wandb_test::gradient;
using wandb_test::quadrants;

/// The ground truth layer's classes carry their own colors; the predictions layer has none (the
/// report's palette colors it).
const wandb::ClassLabels colored_labels = {{0, {"person", wandb::Rgb{200, 30, 30}}},
                                           {1, {"tree", wandb::Rgb{30, 200, 30}}},
                                           {2, {"car", wandb::Rgb{30, 30, 200}}},
                                           {3, {"road", wandb::Rgb{220, 220, 30}}}};

/// gradient(100, 100, seed) with predictions = quadrants(50), ground_truth = quadrants(25).
wandb::Image seed_image(std::size_t seed) {
    return wandb::Image(gradient(100, 100, seed))
        .with_mask("predictions", wandb::ImageMask(quadrants(50), wandb_test::seed_labels))
        .with_mask("ground_truth", wandb::ImageMask(quadrants(25), colored_labels));
}

/// Two boxes: "person" by corners (relative), "car" by centre and size (pixels).
wandb::BoundingBoxes2D seed_boxes() {
    return wandb::BoundingBoxes2D({{wandb::BoxCorners{0.1, 0.4, 0.2, 0.5}, 0, "person", {{"confidence", 0.9}}},
                                   {wandb::BoxCenter{{70, 70}, 20, 20}, 1, "car", {{"confidence", 0.3}}, wandb::BoxDomain::pixel}},
                                  wandb::ClassLabels{{0, "person"}, {1, "car"}});
}

int small_run(const std::string& root) {
    wandb::OfflineRunOptions options;
    options.root = root;
    options.project = "report-test";
    options.name = "report fixture";
    options.group = "browser";
    options.tags = {"seed", "browser-test"};
    options.notes = "quadrant masks, boxes, a list and a table";
    options.config = {{"learning_rate", 0.01}, {"epochs", 5}, {"model", {{"depth", 4}}}};
    options.quiet = true;
    wandb::OfflineRun run(options);
    for (std::size_t step = 0; step < 5; ++step) {
        wandb::Row row = {{"epoch", int(step / 2)},
                          {"loss", 1.0 / double(step + 1)},
                          {"accuracy", 0.2 * double(step)},
                          {"val", wandb::Row{{"iou", step == 3 ? std::nan("") : 0.5 + 0.1 * double(step)}}},
                          {"seg", seed_image(step).with_boxes("detections", seed_boxes())}};
        if (step == 2) {
            std::vector<wandb::Image> list;
            for (std::size_t i = 0; i < 3; ++i)
                list.push_back(wandb::Image(gradient(100, 100, 10 + i))
                                   .with_mask("predictions", wandb::ImageMask(quadrants(30 + 20 * i), wandb_test::seed_labels))
                                   .with_caption("example " + std::to_string(i)));
            row.emplace_back("examples", std::move(list));
        }
        if (step == 4) {
            wandb::Table table({"id", "image", "iou", "label"});
            const double iou[] = {0.7, 0.2, 0.9, 0.4};
            for (int i = 0; i < 4; ++i)
                table.add_data({i, seed_image(20 + std::size_t(i)), iou[i], "row " + std::to_string(i)});
            row.emplace_back("eval_table", table);
        }
        run.log(row);
    }
    run.update_summary({{"best_iou", 0.74}});
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
}

/// A 128x128 mask of four classes: background and three discs that move with the step.
xt::xtensor<std::uint8_t, 2> discs(std::size_t step, std::size_t k) {
    xt::xtensor<std::uint8_t, 2> m = xt::zeros<std::uint8_t>({128, 128});
    for (int d = 1; d <= 3; ++d) {
        const double cx = 20 + double((step * 3 + k * 17 + std::size_t(d) * 29) % 88), cy = 20 + double((step * 5 + k * 11 + std::size_t(d) * 37) % 88);
        for (int r = 0; r < 128; ++r)
            for (int c = 0; c < 128; ++c)
                if ((r - cy) * (r - cy) + (c - cx) * (c - cx) < 15.0 * 15.0) m(r, c) = std::uint8_t(d);
    }
    return m;
}

int large_run(const std::string& root) {
    wandb::OfflineRunOptions options;
    options.root = root;
    options.project = "report-test";
    options.name = "report fixture, 500 masked images";
    options.quiet = true;
    wandb::OfflineRun run(options);
    const wandb::ClassLabels labels = {{0, "background"}, {1, "a"}, {2, "b"}, {3, "c"}};
    auto image = [&](std::size_t step, std::size_t k) {
        return wandb::Image(gradient(128, 128, step + k))
            .with_mask("predictions", wandb::ImageMask(discs(step, k), labels))
            .with_mask("ground_truth", wandb::ImageMask(discs(step + 1, k), labels));
    };
    for (std::size_t step = 0; step < 100; ++step) {
        std::vector<wandb::Image> list;
        for (std::size_t k = 1; k < 5; ++k) list.push_back(image(step, k));
        run.log({{"loss", 1.0 / double(step + 1)}, {"seg", image(step, 0)}, {"examples", std::move(list)}});
    }
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--large")) {
        std::cerr << "usage: report_fixture ROOT [--large]\n";
        return 2;
    }
    return argc == 3 ? large_run(argv[1]) : small_run(argv[1]);
} catch (const std::exception& e) {
    std::cerr << "report_fixture: " << e.what() << "\n";
    return 1;
}
