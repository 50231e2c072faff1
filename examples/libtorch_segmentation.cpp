// Trains a tiny fully convolutional LibTorch model to segment circles and squares on noise, and
// logs its loss every step and, every 100 steps, predicted vs ground-truth masks and a Table of
// validation samples with their per-class IoU into an offline run.
//
// Usage: libtorch_segmentation ROOT
// Creates ROOT/wandb/offline-run-<time>-<id>/ and prints that directory as the last line.
//
// The shapes come from a documented generator (xorshift32, see make_sample) so that an
// independent checker can redraw the validation samples pixel for pixel.
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/functional/loss.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/optim/adam.h>

#include <wandb/torch.hpp>
#include <wandb/wandb.hpp>

namespace {

constexpr int side = 64;          // images are side x side
constexpr int classes = 3;        // 0 background, 1 circle, 2 square
constexpr int steps = 300;        // training steps of one batch each
constexpr int eval_every = 100;   // validation (masks and a Table) every eval_every steps
constexpr int batch = 8;
constexpr int validation = 4;     // validation samples, seeds 1..validation

/// xorshift32 (Marsaglia): the checker draws the same numbers.
struct Xorshift32 {
    std::uint32_t state;
    std::uint32_t next() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
};

/// One sample from `seed`: a 3 x side x side uint8 image and its side x side int64 labels.
/// Draws, in order: circle centre x, y (12 + next % 40 each) and radius (6 + next % 6); square
/// corner x, y (4 + next % 44 each) and side (8 + next % 8); then for each pixel in row-major
/// order and each channel c = 0, 1, 2, one noise value n = next % 64. A pixel is the square's
/// (label 2) if it is inside it, else the circle's (label 1) if (x-cx)^2 + (y-cy)^2 <= r^2, else
/// background (0). Channel c is 192 + n for the circle in c = 0 and the square in c = 1, else 64 + n.
std::pair<at::Tensor, at::Tensor> make_sample(std::uint32_t seed) {
    Xorshift32 rng{seed};
    const int cx = 12 + int(rng.next() % 40), cy = 12 + int(rng.next() % 40), r = 6 + int(rng.next() % 6);
    const int sx = 4 + int(rng.next() % 44), sy = 4 + int(rng.next() % 44), s = 8 + int(rng.next() % 8);
    at::Tensor image = at::empty({3, side, side}, at::kByte), labels = at::empty({side, side}, at::kLong);
    auto px = image.accessor<std::uint8_t, 3>();
    auto lab = labels.accessor<std::int64_t, 2>();
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x) {
            const bool square = x >= sx && x < sx + s && y >= sy && y < sy + s;
            const bool circle = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
            const int label = square ? 2 : circle ? 1 : 0;
            lab[y][x] = label;
            for (int c = 0; c < 3; ++c) {
                const int n = int(rng.next() % 64);
                px[c][y][x] = std::uint8_t(((label == 1 && c == 0) || (label == 2 && c == 1) ? 192 : 64) + n);
            }
        }
    return {image, labels};
}

/// A batch of samples with seeds first, first + 1, ...: images N x 3 x H x W (uint8), labels N x H x W.
std::pair<at::Tensor, at::Tensor> make_batch(std::uint32_t first, int n) {
    std::vector<at::Tensor> images, labels;
    for (int i = 0; i < n; ++i) {
        auto [image, label] = make_sample(first + std::uint32_t(i));
        images.push_back(image);
        labels.push_back(label);
    }
    return {at::stack(images), at::stack(labels)};
}

/// Three convolutions, no pooling: per-pixel logits N x classes x H x W.
struct SegmentationNet : torch::nn::Module {
    SegmentationNet()
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3).padding(1)))),
          conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 8, 3).padding(1)))),
          head(register_module("head", torch::nn::Conv2d(torch::nn::Conv2dOptions(8, classes, 1)))) {}
    at::Tensor forward(const at::Tensor& x) { return head(conv2(conv1(x).relu()).relu()); }
    torch::nn::Conv2d conv1, conv2, head;
};

/// |P and G| / |P or G| for class k of predicted and true labels (same shape).
double iou(const at::Tensor& predicted, const at::Tensor& truth, int k) {
    const at::Tensor p = predicted.eq(k), g = truth.eq(k);
    const double both = double(p.logical_and(g).sum().item<std::int64_t>());
    const double either = double(p.logical_or(g).sum().item<std::int64_t>());
    return either == 0 ? 1.0 : both / either;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::cerr << "usage: libtorch_segmentation ROOT\n";
        return 2;
    }
    at::manual_seed(0);
    const wandb::ClassLabels class_labels = {{0, "background"}, {1, "circle"}, {2, "square"}};

    wandb::OfflineRunOptions options;
    options.project = "libtorch_segmentation";
    options.config = {{"steps", steps}, {"batch", batch}, {"learning_rate", 0.01}, {"side", side}};
    options.root = argv[1];
    wandb::OfflineRun run(options);

    SegmentationNet net;
    torch::optim::Adam optimizer(net.parameters(), torch::optim::AdamOptions(0.01));
    const auto [val_images, val_labels] = make_batch(1, validation);

    for (int step = 0; step < steps; ++step) {
        const auto [images, labels] = make_batch(1000 + std::uint32_t(step * batch), batch);
        const at::Tensor logits = net.forward(images.to(at::kFloat) / 255.0);
        const at::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();

        wandb::Row row{{"loss", loss.item<double>()}};
        if ((step + 1) % eval_every == 0) {
            at::Tensor val_logits;
            {
                const c10::NoGradGuard no_grad;
                val_logits = net.forward(val_images.to(at::kFloat) / 255.0);
            }
            // N x C x H x W logits -> N uint8 masks: argmax and narrowing where the logits are,
            // then one copy of the batch (on a GPU this copy is 8x smaller than the int64 argmax).
            const std::vector<wandb::ImageMask<std::uint8_t>> predicted = wandb::masks_from_logits(val_logits, class_labels);
            const at::Tensor predicted_ids = val_logits.argmax(1);
            wandb::Table samples({"sample", "image", "iou_background", "iou_circle", "iou_square", "mean_iou"});
            double mean_of_means = 0;
            std::vector<wandb::Image> images_with_masks;
            for (int i = 0; i < validation; ++i) {
                // The uint8 C x H x W slice is read in place: no copy of the pixels.
                auto image = wandb::image_from_tensor(val_images[i])
                                 .with_mask("predictions", predicted[std::size_t(i)])
                                 .with_mask("ground_truth", wandb::mask_from_tensor(val_labels[i], class_labels));
                double ious[classes], mean = 0;
                for (int k = 0; k < classes; ++k) mean += ious[k] = iou(predicted_ids[i], val_labels[i], k);
                mean /= classes;
                mean_of_means += mean / validation;
                samples.add_data({i + 1, image, ious[0], ious[1], ious[2], mean});
                images_with_masks.push_back(std::move(image));
            }
            row.emplace_back("val", wandb::Row{{"prediction", images_with_masks[0]}, {"samples", samples},
                                               {"mean_iou", mean_of_means}});
        }
        run.log(row);
    }
    run.finish();
    std::cout << run.dir().string() << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
}
