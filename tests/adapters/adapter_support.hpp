// What the adapter tests share: encoding a mask or an image as logging does, and decoding the
// file with stb (an independent decoder), so pixels are compared with the source's own values.
#pragma once

#include <cstdint>
#include <vector>

#include <wandb/wandb.hpp>

#include "support/test_support.hpp"

namespace wandb_test {

/// The mask's PNG as logging writes it, decoded.
inline Decoded decoded_mask(const wandb::ImageMask<std::uint8_t>& mask) {
    return decode(*wandb::detail::encode_mask(mask).bytes);
}

/// The image's file as logging writes it, decoded.
inline Decoded decoded_image(const wandb::Image& image) { return decode(*wandb::detail::encode_image(image).bytes); }

/// A pseudo-random byte sequence (xorshift32), the same on every run.
class Bytes {
public:
    explicit Bytes(std::uint32_t seed) : state_(seed ? seed : 1) {}
    std::uint32_t next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }
    /// A value in 0..n-1.
    std::uint32_t below(std::uint32_t n) { return next() % n; }

private:
    std::uint32_t state_;
};

}  // namespace wandb_test
