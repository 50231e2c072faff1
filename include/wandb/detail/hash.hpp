// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The digests W&B names files by: SHA-256 (media file names and `sha256` fields) and MD5
/// (artifact manifest digests), with their hex and base64 spellings. Streaming: feed bytes in
/// pieces with `update`, then `finish` once.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Lower-case hex of a byte sequence.
inline std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0xF];
    }
    return out;
}

/// Standard base64 (RFC 4648, `+/`, with `=` padding).
inline std::string to_base64(const std::uint8_t* data, std::size_t size) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8 | data[i + 2];
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (size - i == 1) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (size - i == 2) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

/// An N-byte digest: 32 for SHA-256, 16 for MD5.
template <std::size_t N>
struct Digest {
    std::array<std::uint8_t, N> bytes{};
    /// The lower-case hex spelling (`sha256` fields, artifact digests, classes file names).
    std::string hex() const { return to_hex(bytes.data(), bytes.size()); }
    /// The base64 spelling (artifact manifest entry digests).
    std::string base64() const { return to_base64(bytes.data(), bytes.size()); }
    friend bool operator==(const Digest& a, const Digest& b) { return a.bytes == b.bytes; }
};

/// A SHA-256 digest.
using Sha256Digest = Digest<32>;
/// An MD5 digest.
using Md5Digest = Digest<16>;

/// SHA-256 round constants (FIPS 180-4 section 4.2.2).
inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/// The SHA-256 compression function on `blocks` 64-byte blocks, in portable C++.
inline void sha256_blocks_portable(std::uint32_t state[8], const std::uint8_t* p, std::size_t blocks) noexcept {
    auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
    for (; blocks > 0; --blocks, p += 64) {
        std::uint32_t w[64];
        for (int i = 0; i < 16; ++i)
            w[i] = std::uint32_t(p[4 * i]) << 24 | std::uint32_t(p[4 * i + 1]) << 16 |
                   std::uint32_t(p[4 * i + 2]) << 8 | std::uint32_t(p[4 * i + 3]);
        for (int i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; ++i) {
            const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + sha256_k[i] + w[i];
            const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a, state[1] += b, state[2] += c, state[3] += d, state[4] += e, state[5] += f, state[6] += g, state[7] += h;
    }
}

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
/// True when the CPU has the SHA extensions, and SSSE3 and SSE4.1, which sha256_blocks_sha_ni uses.
inline bool cpu_has_sha_ni() noexcept {
    static const bool has = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
        const bool ssse3_sse41 = (c & (1u << 9)) != 0 && (c & (1u << 19)) != 0;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
        return ssse3_sse41 && (b & (1u << 29)) != 0;
    }();
    return has;
}

/// The SHA-256 compression function on `blocks` 64-byte blocks with the x86 SHA extensions
/// (about 4x the portable speed). Only call it when cpu_has_sha_ni().
__attribute__((target("sha,sse4.1,ssse3"))) inline void sha256_blocks_sha_ni(std::uint32_t state[8],
                                                                             const std::uint8_t* p,
                                                                             std::size_t blocks) noexcept {
    // The rounds instruction keeps the state as two registers, ABEF and CDGH (A in the high lane).
    const __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
    const __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
    const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    // Message words are big-endian: reverse the bytes of each 32-bit lane.
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    for (; blocks > 0; --blocks, p += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        __m128i w[4];  // the last four groups of four message words, w[g % 4] for group g
        for (int g = 0; g < 16; ++g) {
            __m128i& cur = w[g % 4];
            if (g < 4) {
                cur = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * g)), byteswap);
            } else {
                // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time: msg1 adds
                // s0 to W[t-16], alignr supplies W[t-7], msg2 adds s1.
                const __m128i t7 = _mm_alignr_epi8(w[(g + 3) % 4], w[(g + 2) % 4], 4);
                cur = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(cur, w[(g + 1) % 4]), t7),
                                           w[(g + 3) % 4]);
            }
            __m128i wk = _mm_add_epi32(cur, _mm_loadu_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * g)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);  // rounds 4g, 4g+1
            wk = _mm_shuffle_epi32(wk, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);  // rounds 4g+2, 4g+3
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}
#else
inline bool cpu_has_sha_ni() noexcept { return false; }
inline void sha256_blocks_sha_ni(std::uint32_t*, const std::uint8_t*, std::size_t) noexcept {}
#endif

/// The SHA-256 compression function on `blocks` 64-byte blocks, with the SHA extensions when the
/// CPU has them.
inline void sha256_blocks(std::uint32_t state[8], const std::uint8_t* p, std::size_t blocks) noexcept {
    if (cpu_has_sha_ni()) {
        sha256_blocks_sha_ni(state, p, blocks);
    } else {
        sha256_blocks_portable(state, p, blocks);
    }
}

/// The framing SHA-256 and MD5 share (Merkle-Damgard): input cut into 64-byte blocks, then a
/// 0x80 byte, zeros and the 64-bit bit count, big-endian for SHA-256 and little-endian for MD5.
/// `Hash` derives from it and provides `compress_blocks(const std::uint8_t*, std::size_t count)`.
template <class Hash, bool big_endian_length>
class BlockHash {
public:
    /// Feeds `size` more bytes.
    void update(const void* data, std::size_t size) noexcept {
        const auto* p = static_cast<const std::uint8_t*>(data);
        total_ += size;
        if (buffered_ != 0) {
            const std::size_t take = std::min(size, block_.size() - buffered_);
            std::memcpy(block_.data() + buffered_, p, take);
            buffered_ += take;
            p += take;
            size -= take;
            if (buffered_ < block_.size()) return;
            hash().compress_blocks(block_.data(), 1);
            buffered_ = 0;
        }
        const std::size_t blocks = size / 64;
        hash().compress_blocks(p, blocks);
        p += 64 * blocks;
        size -= 64 * blocks;
        std::memcpy(block_.data(), p, size);
        buffered_ = size;
    }
    /// Feeds the bytes of `text`.
    void update(std::string_view text) noexcept { update(text.data(), text.size()); }

protected:
    /// Appends the padding and the length; the state then holds the digest.
    void pad() noexcept {
        const std::uint64_t bits = total_ * 8;
        const std::uint8_t marker = 0x80;
        update(&marker, 1);
        const std::uint8_t zero = 0;
        while (buffered_ != 56) update(&zero, 1);
        std::uint8_t length[8];
        for (int i = 0; i < 8; ++i) length[i] = std::uint8_t(bits >> (big_endian_length ? 56 - 8 * i : 8 * i));
        update(length, 8);
    }

private:
    Hash& hash() noexcept { return static_cast<Hash&>(*this); }

    std::array<std::uint8_t, 64> block_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_ = 0;
};

/// SHA-256 (FIPS 180-4).
class Sha256 : public BlockHash<Sha256, true> {
public:
    /// The digest of everything fed; call once.
    Sha256Digest finish() noexcept {
        pad();
        Sha256Digest d;
        for (int i = 0; i < 8; ++i)
            for (int k = 0; k < 4; ++k) d.bytes[std::size_t(4 * i + k)] = std::uint8_t(h_[i] >> (24 - 8 * k));
        return d;
    }

    /// The digest of one buffer.
    static Sha256Digest of(const void* data, std::size_t size) noexcept {
        Sha256 s;
        s.update(data, size);
        return s.finish();
    }

private:
    friend class BlockHash<Sha256, true>;
    void compress_blocks(const std::uint8_t* p, std::size_t blocks) noexcept { sha256_blocks(h_, p, blocks); }

    std::uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
};

/// MD5 (RFC 1321). Not for security: W&B's artifact manifests name content by it.
class Md5 : public BlockHash<Md5, false> {
public:
    /// The digest of everything fed; call once.
    Md5Digest finish() noexcept {
        pad();
        Md5Digest d;
        for (int i = 0; i < 4; ++i)
            for (int k = 0; k < 4; ++k) d.bytes[std::size_t(4 * i + k)] = std::uint8_t(s_[i] >> (8 * k));
        return d;
    }

    /// The digest of one buffer.
    static Md5Digest of(const void* data, std::size_t size) noexcept {
        Md5 m;
        m.update(data, size);
        return m.finish();
    }

private:
    friend class BlockHash<Md5, false>;
    void compress_blocks(const std::uint8_t* p, std::size_t blocks) noexcept {
        for (; blocks > 0; --blocks, p += 64) compress(p);
    }

    static std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

    void compress(const std::uint8_t* p) noexcept {
        static constexpr int shift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                          5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                          4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                          6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
        static constexpr std::uint32_t k[64] = {
            0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
            0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
            0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
            0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
            0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
            0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
            0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
            0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
        std::uint32_t m[16];
        for (int i = 0; i < 16; ++i)
            m[i] = std::uint32_t(p[4 * i]) | std::uint32_t(p[4 * i + 1]) << 8 |
                   std::uint32_t(p[4 * i + 2]) << 16 | std::uint32_t(p[4 * i + 3]) << 24;
        std::uint32_t a = s_[0], b = s_[1], c = s_[2], d = s_[3];
        for (int i = 0; i < 64; ++i) {
            std::uint32_t f;
            int g;
            if (i < 16) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (i < 32) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
            } else if (i < 48) {
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }
            const std::uint32_t next = b + rotl(a + f + k[i] + m[g], shift[i]);
            a = d;
            d = c;
            c = b;
            b = next;
        }
        s_[0] += a, s_[1] += b, s_[2] += c, s_[3] += d;
    }

    std::uint32_t s_[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
};

}  // namespace detail
WANDB_NAMESPACE_END
