// Inputs shaped like the seed example's (../shared/seed/imagemask-reference.md): its class labels,
// its quadrant masks and a deterministic RGB image standing in for its random one.
#pragma once

#include <cstddef>
#include <cstdint>

#include <wandb/wandb.hpp>

namespace wandb_test {

/// The seed example's labels: {0: person, 1: tree, 2: car, 3: road}.
inline const wandb::ClassLabels seed_labels = {{0, "person"}, {1, "tree"}, {2, "car"}, {3, "road"}};

/// A 100x100 mask filled in quadrants as the seed example fills its masks: 0 above and left of
/// `split`, 1 below, 2 right, 3 below and right.
inline xt::xtensor<std::uint8_t, 2> quadrants(std::size_t split) {
    xt::xtensor<std::uint8_t, 2> m = xt::zeros<std::uint8_t>({100, 100});
    for (std::size_t r = 0; r < 100; ++r)
        for (std::size_t c = 0; c < 100; ++c) m(r, c) = std::uint8_t((r >= split ? 1 : 0) + (c >= split ? 2 : 0));
    return m;
}

/// An h x w x 3 image whose every pixel differs from its neighbours; `seed` shifts all values.
inline xt::xtensor<std::uint8_t, 3> gradient(std::size_t h, std::size_t w, std::size_t seed = 0) {
    xt::xtensor<std::uint8_t, 3> px = xt::zeros<std::uint8_t>({h, w, std::size_t(3)});
    for (std::size_t r = 0; r < h; ++r)
        for (std::size_t c = 0; c < w; ++c)
            for (std::size_t k = 0; k < 3; ++k) px(r, c, k) = std::uint8_t((r * 7 + c * 3 + k * 50 + seed * 11) % 256);
    return px;
}

}  // namespace wandb_test
