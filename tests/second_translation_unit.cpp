// A second translation unit including the umbrella header: with test_*.cpp it proves that every
// function defined in a header is `inline` (a missing one is a duplicate symbol at link time).
#include <wandb/detail/hash.hpp>
#include <wandb/wandb.hpp>

namespace wandb_test {
// Odr-uses a few header functions so they are emitted here too.
std::string second_tu_sha256_of(const std::string& text) {
    return wandb::detail::Sha256::of(text.data(), text.size()).hex();
}

// The PNG encoder with both deflate backends, so each is emitted in this translation unit too.
std::vector<std::uint8_t> second_tu_encode_png(const wandb::PixelView& pixels, int level) {
    return wandb::encode_png(pixels, {level, wandb::PngFilter::adaptive});
}
}  // namespace wandb_test
