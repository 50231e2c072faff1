// Logs one image with two layers of bounding boxes: W&B's bounding-box example, ported line by line.
//
// Usage: log_boxes FILES_DIR
// Writes the media files below FILES_DIR (a run's files/ directory) and prints one JSON object:
// {"history": {"driving_scene": <payload>}, "config": {"_wandb": {"bounding_box/class_labels": {...}}}}
#include <cstdint>
#include <iostream>

#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>

#include <wandb/wandb.hpp>

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: log_boxes FILES_DIR\n";
        return 2;
    }
    xt::random::seed(0);  // the Python example logs a camera frame; a seeded random one stands in
    xt::xtensor<std::uint8_t, 3> image = xt::cast<std::uint8_t>(xt::random::randint<int>({240, 320, 3}, 0, 256));

    // class_id_to_label = {0: "person", 1: "car", 2: "road", 3: "building"}
    const wandb::ClassLabels class_id_to_label = {{0, "person"}, {1, "car"}, {2, "road"}, {3, "building"}};

    auto img = wandb::Image(image)
                   .with_boxes("predictions",
                               wandb::BoundingBoxes2D(
                                   {
                                       // one box expressed in the default relative/fractional domain
                                       wandb::Box2D{wandb::BoxCorners{0.1, 0.2, 0.3, 0.4}, 1, class_id_to_label.at(1),
                                                    {{"acc", 0.2}, {"loss", 1.2}}},
                                       // another box expressed in the pixel domain
                                       wandb::Box2D{wandb::BoxCenter{{150, 20}, 68, 112}, 3, "a building",
                                                    {{"acc", 0.5}, {"loss", 0.7}}, wandb::BoxDomain::pixel},
                                   },
                                   class_id_to_label))
                   // log each meaningful group of boxes with a unique key name
                   .with_boxes("ground_truth",
                               wandb::BoundingBoxes2D(
                                   {
                                       wandb::Box2D{wandb::BoxCorners{0.12, 0.22, 0.28, 0.41}, 1, class_id_to_label.at(1)},
                                       wandb::Box2D{wandb::BoxCenter{{148, 24}, 70, 110}, 3, "a building", {},
                                                    wandb::BoxDomain::pixel},
                                   },
                                   class_id_to_label));

    // wandb.log({"driving_scene": img}) at step 0, into FILES_DIR:
    const wandb::RunPayload logged = wandb::bind_to_run(img, {argv[1], "driving_scene", 0});

    wandb::Json wandb_config;
    wandb::add_class_label_singletons(wandb_config, logged.singletons);
    wandb::Json out;
    out["history"]["driving_scene"] = logged.value;
    out["config"]["_wandb"] = wandb_config;
    std::cout << out.dump() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
