// Tests for detail/hash.hpp and detail/crc32.hpp against published test vectors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <wandb/detail/crc32.hpp>
#include <wandb/detail/hash.hpp>
#include <wandb/wandb.hpp>

namespace wandb_test {
std::string second_tu_sha256_of(const std::string& text);
}

// This file's names, apart from the other test files' (the header-only test build compiles
// them in unity batches).
namespace test_hash {

using wandb::detail::Md5;
using wandb::detail::Sha256;

namespace {
std::string sha256_hex(const std::string& s) { return Sha256::of(s.data(), s.size()).hex(); }
std::string md5_hex(const std::string& s) { return Md5::of(s.data(), s.size()).hex(); }
}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors", "[hash]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("SHA-256 of a million 'a' fed in uneven pieces", "[hash]") {
    const std::string chunk(997, 'a');
    Sha256 s;
    std::size_t fed = 0;
    while (fed + chunk.size() <= 1000000) {
        s.update(chunk.data(), chunk.size());
        fed += chunk.size();
    }
    s.update(chunk.data(), 1000000 - fed);
    CHECK(s.finish().hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 is the same from a second translation unit", "[hash]") {
    CHECK(wandb_test::second_tu_sha256_of("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("MD5 matches the RFC 1321 test suite", "[hash]") {
    CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
    CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
    CHECK(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
          "57edf4a22be3c955ac49da2e2107b67a");
}

TEST_CASE("MD5 base64 spelling is the artifact manifest digest", "[hash]") {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e; its standard base64 is 1B2M2Y8AsgTpgAmY7PhCfg==.
    CHECK(Md5::of("", 0).base64() == "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST_CASE("base64 pads one and two trailing bytes (RFC 4648 vectors)", "[hash]") {
    auto b64 = [](const std::string& s) {
        return wandb::detail::to_base64(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    CHECK(b64("") == "");
    CHECK(b64("f") == "Zg==");
    CHECK(b64("fo") == "Zm8=");
    CHECK(b64("foo") == "Zm9v");
    CHECK(b64("foob") == "Zm9vYg==");
    CHECK(b64("fooba") == "Zm9vYmE=");
    CHECK(b64("foobar") == "Zm9vYmFy");
}

TEST_CASE("CRC-32 matches zlib's check value, in one piece and in many", "[hash][crc32]") {
    const std::string check = "123456789";
    CHECK(wandb::detail::crc32(0, check.data(), check.size()) == 0xCBF43926u);
    CHECK(wandb::detail::crc32_portable(0, check.data(), check.size()) == 0xCBF43926u);
    std::vector<std::uint8_t> data(100003);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t(i * 7919u >> 3);
    std::uint32_t pieces = 0;
    for (std::size_t at = 0; at < data.size(); at += 4099)
        pieces = wandb::detail::crc32_portable(pieces, data.data() + at, std::min<std::size_t>(4099, data.size() - at));
    CHECK(pieces == wandb::detail::crc32(0, data.data(), data.size()));
}

TEST_CASE("CRC-32 of an empty piece, even with a null pointer, leaves the running value unchanged",
          "[hash][crc32]") {
    // zlib.crc32(b"\x01") = 0xA505DF1B; an empty std::vector's data() may be null.
    const std::uint8_t one = 1;
    const std::vector<std::uint8_t> empty;
    CHECK(wandb::detail::crc32(wandb::detail::crc32(0, &one, 1), empty.data(), empty.size()) == 0xA505DF1Bu);
    CHECK(wandb::detail::crc32(0xA505DF1Bu, nullptr, 0) == 0xA505DF1Bu);
    CHECK(wandb::detail::crc32_portable(0xA505DF1Bu, nullptr, 0) == 0xA505DF1Bu);
}

TEST_CASE("SHA-256's x86 SHA-extensions path equals the portable one, block for block", "[hash]") {
    if (!wandb::detail::cpu_has_sha_ni()) {
        WARN("this CPU has no SHA extensions: only the portable path runs");
        return;
    }
    std::vector<std::uint8_t> data(64 * 300);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::uint8_t((i * 2654435761u) >> 13);
    for (std::size_t blocks : {1u, 2u, 3u, 17u, 300u}) {
        std::uint32_t portable[8] = {1, 2, 3, 4, 5, 6, 7, 8}, sha_ni[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        wandb::detail::sha256_blocks_portable(portable, data.data(), blocks);
        wandb::detail::sha256_blocks_sha_ni(sha_ni, data.data(), blocks);
        INFO(blocks << " blocks");
        CHECK(std::equal(portable, portable + 8, sha_ni));
    }
}

}  // namespace test_hash
