// Tests for detail/utf8.hpp: the UTF-8 check every name, caption and proto3 string goes through.
#include <catch2/catch.hpp>

#include <optional>

#include <wandb/detail/utf8.hpp>

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_utf8 {

TEST_CASE("UTF-8 validation rejects overlongs, surrogates, values above U+10FFFF and cut sequences",
          "[utf8]") {
    constexpr auto ok = std::nullopt;
    CHECK(wandb::detail::first_invalid_utf8("") == ok);
    CHECK(wandb::detail::first_invalid_utf8("plain ascii") == ok);
    CHECK(wandb::detail::first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == ok);  // é € 😀
    CHECK(wandb::detail::first_invalid_utf8("\xC0\xAF") == std::size_t(0));                 // overlong '/'
    CHECK(wandb::detail::first_invalid_utf8("a\xED\xA0\x80") == std::size_t(1));            // surrogate U+D800
    CHECK(wandb::detail::first_invalid_utf8("ab\xF4\x90\x80\x80") == std::size_t(2));       // U+110000
    CHECK(wandb::detail::first_invalid_utf8("abc\xE2\x82") == std::size_t(3));              // cut three-byte sequence
    CHECK(wandb::detail::first_invalid_utf8("\xFF") == std::size_t(0));
}

}  // namespace test_utf8
