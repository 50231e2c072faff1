// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// One zlib stream (RFC 1950/1951), as PNG's IDAT data needs it. Two backends:
/// - `runs`: this library's own deflate encoder, dependency-free. It codes runs of a repeated byte
///   as distance-1 matches and everything else as literals, with a dynamic Huffman code per block.
///   Filtered masks and noisy photos are almost all runs and literals, so it writes files about
///   the size of zlib's at a fraction of the time (bench/README.md has the measurements). It takes
///   its input in pieces (RunDeflater::add), so the encoder never holds a filtered copy of an image.
/// - `libdeflate`: full LZ77 match finding (when the build defines WANDB_IMAGEMASK_HAVE_LIBDEFLATE),
///   for levels 2..12: smaller files for images with repeated structure (plots, screenshots).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <queue>
#include <vector>

#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
#include <libdeflate.h>
#endif

#include "../error.hpp"
#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Which deflate implementation writes a zlib stream.
enum class ZlibBackend {
    best,        ///< level 0-1: runs; 2-12: libdeflate when compiled in, else runs
    libdeflate,  ///< libdeflate at the given level; only valid when `have_libdeflate` is true
    runs,        ///< this library's run-length deflate encoder (level 0: stored blocks only)
};

/// True when the build links libdeflate.
inline constexpr bool have_libdeflate =
#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
    true;
#else
    false;
#endif

/// The highest compression level `zlib_compress` accepts (libdeflate's highest).
inline constexpr int max_compression_level = 12;

/// Uninitialised heap bytes, freed with std::free. Untouched pages of a large buffer stay
/// unmapped, so a worst-case sized output buffer costs only what is written into it.
using MallocBytes = std::unique_ptr<std::uint8_t, void (*)(void*)>;

/// Allocates `size` uninitialised bytes.
/// \throws std::bad_alloc  when the allocation fails.
inline MallocBytes allocate_bytes(std::size_t size) {
    auto* p = static_cast<std::uint8_t*>(std::malloc(size == 0 ? 1 : size));
    if (p == nullptr) throw std::bad_alloc();
    return {p, std::free};
}

/// A compressed stream: `size` bytes at `data`.
struct ByteBuffer {
    MallocBytes data{nullptr, std::free};
    std::size_t size = 0;
};

/// Adler-32 (RFC 1950), the zlib stream's checksum: start with `adler = 1`.
inline std::uint32_t adler32(std::uint32_t adler, const std::uint8_t* p, std::size_t size) noexcept {
#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
    if (p == nullptr) return adler;  // libdeflate_adler32 returns 1 for a null buffer
    return libdeflate_adler32(adler, p, size);
#else
    std::uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (size > 0) {
        // 5552 is the most bytes before b can overflow 32 bits (zlib's NMAX).
        std::size_t n = std::min<std::size_t>(size, 5552);
        size -= n;
        for (; n >= 4; n -= 4, p += 4) {
            a += p[0], b += a;
            a += p[1], b += a;
            a += p[2], b += a;
            a += p[3], b += a;
        }
        for (; n > 0; --n) a += *p++, b += a;
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
#endif
}

/// Writes bits least-significant first, as deflate packs them, into a buffer the caller sized
/// with 8 bytes of slack: every flush stores 8 bytes and advances by the whole bytes among them.
class BitWriter {
public:
    explicit BitWriter(std::uint8_t* out) noexcept : out_(out) {}
    /// Appends the low `count` bits of `bits`; at most 56 bits may be pending before a flush.
    void add(std::uint64_t bits, unsigned count) noexcept {
        acc_ |= bits << count_;
        count_ += count;
    }
    /// Writes the whole bytes pending; keeps the last 0..7 bits.
    void flush() noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        std::memcpy(out_, &acc_, 8);
#else
        for (int i = 0; i < 8; ++i) out_[i] = std::uint8_t(acc_ >> (8 * i));
#endif
        out_ += count_ >> 3;
        acc_ >>= count_ & ~7u;  // count_ <= 56 here, so the shift is defined
        count_ &= 7;
    }
    /// add() then flush(), for everything but the hot loop.
    void put(std::uint64_t bits, unsigned count) noexcept {
        add(bits, count);
        flush();
    }
    /// Pads with zero bits to a byte boundary.
    void align() noexcept {
        flush();
        if (count_ != 0) {
            *out_++ = std::uint8_t(acc_);
            acc_ = 0;
            count_ = 0;
        }
    }
    /// Copies bytes; only after align().
    void put_bytes(const std::uint8_t* p, std::size_t n) noexcept {
        if (n != 0) std::memcpy(out_, p, n);
        out_ += n;
    }
    std::uint8_t* position() const noexcept { return out_; }

private:
    std::uint8_t* out_;
    std::uint64_t acc_ = 0;
    unsigned count_ = 0;
};

/// Code lengths of a Huffman code for `freq`, none longer than `limit` bits. Gives every symbol
/// with a non-zero frequency a code; the code is complete (at least two symbols get one).
inline void huffman_lengths(const std::uint32_t* freq_in, std::size_t n, unsigned limit, std::uint8_t* lengths) {
    std::vector<std::uint32_t> freq(freq_in, freq_in + n);
    std::size_t used = 0;
    for (std::size_t i = 0; i < n; ++i) used += freq[i] != 0;
    for (std::size_t i = 0; used < 2 && i < n; ++i)  // one or no symbol: a complete code needs two
        if (freq[i] == 0) freq[i] = 1, ++used;
    struct Node { std::uint64_t weight; std::int32_t left, right; };
    std::vector<Node> nodes;
    for (;;) {
        nodes.clear();
        using Item = std::pair<std::uint64_t, std::int32_t>;  // (weight, node), lightest on top
        std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
        std::vector<std::int32_t> leaf_of(n, -1);
        for (std::size_t i = 0; i < n; ++i)
            if (freq[i] != 0) {
                leaf_of[i] = std::int32_t(nodes.size());
                heap.push({freq[i], leaf_of[i]});
                nodes.push_back({freq[i], -1, -1});
            }
        while (heap.size() > 1) {
            const Item a = heap.top();
            heap.pop();
            const Item b = heap.top();
            heap.pop();
            heap.push({a.first + b.first, std::int32_t(nodes.size())});
            nodes.push_back({a.first + b.first, a.second, b.second});
        }
        // Depths from the root (the last node) down; children always precede their parent.
        std::vector<unsigned> depth(nodes.size(), 0);
        for (std::size_t k = nodes.size(); k-- > 0;)
            if (nodes[k].left >= 0) depth[std::size_t(nodes[k].left)] = depth[std::size_t(nodes[k].right)] = depth[k] + 1;
        unsigned longest = 0;
        for (std::size_t i = 0; i < n; ++i) {
            lengths[i] = leaf_of[i] < 0 ? 0 : std::uint8_t(depth[std::size_t(leaf_of[i])]);
            longest = std::max<unsigned>(longest, lengths[i]);
        }
        if (longest <= limit) return;
        // Too deep: flatten the distribution and build again (converges to a balanced tree).
        for (auto& f : freq)
            if (f != 0) f = (f >> 1) | 1;
    }
}

/// Canonical Huffman codes (RFC 1951 section 3.2.2) for `lengths`, bit-reversed for BitWriter.
inline void huffman_codes(const std::uint8_t* lengths, std::size_t n, std::uint16_t* codes) noexcept {
    std::uint16_t count[16] = {}, next[16] = {};
    for (std::size_t i = 0; i < n; ++i) ++count[lengths[i]];
    count[0] = 0;
    for (unsigned bits = 1, code = 0; bits < 16; ++bits) {
        code = (code + count[bits - 1]) << 1;
        next[bits] = std::uint16_t(code);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned len = lengths[i];
        if (len == 0) continue;
        unsigned code = next[len]++, reversed = 0;
        for (unsigned b = 0; b < len; ++b, code >>= 1) reversed = (reversed << 1) | (code & 1u);
        codes[i] = std::uint16_t(reversed);
    }
}

/// Deflate's length symbols: match length 3..258 -> symbol 257..285, extra bits and their value.
struct LengthCode { std::uint16_t symbol; std::uint8_t extra_bits; std::uint8_t extra; };
inline constexpr std::array<LengthCode, 259> make_length_codes() {
    constexpr std::uint16_t base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                        31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    constexpr std::uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                        2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    std::array<LengthCode, 259> t{};
    for (unsigned len = 3; len <= 258; ++len) {
        unsigned k = 28;
        while (base[k] > len) --k;
        t[len] = {std::uint16_t(257 + k), extra[k], std::uint8_t(len - base[k])};
    }
    return t;
}
inline constexpr std::array<LengthCode, 259> length_codes = make_length_codes();

/// The `runs` encoder. A token is a literal byte (0..255) or a run: 256 + (length - 3), a copy of
/// the previous byte `length` (3..258) times, i.e. a match at distance 1. The input is cut into
/// blocks of up to `block_tokens` tokens, each with its own Huffman code (or stored, if smaller).
class RunDeflater {
public:
    static constexpr std::size_t block_tokens = std::size_t(1) << 16;

    /// The most bytes the stream can take for `size` bytes fed in `pieces` calls of add(), plus
    /// BitWriter's 8 bytes of slack. A block is never larger than its bytes stored (5 bytes per
    /// started 65535); a block spans at least 65536 bytes (one per token) unless it ends a piece:
    /// at most 2 * size / 65535 + 2 + pieces stored parts. Then zlib's 2-byte header and Adler-32.
    static std::size_t bound(std::size_t size, std::size_t pieces = 1) noexcept {
        return size + 5 * (2 * (size / 65535) + 2 + pieces) + 6 + 8;
    }

    /// Starts a zlib stream at `out`, which must hold bound() bytes for everything fed.
    /// `stored_only` writes level 0 (no compression). `total_size`, the bytes all add() calls will
    /// feed, sizes the token buffer (a token stands for at least one byte).
    RunDeflater(std::uint8_t* out, bool stored_only, std::size_t total_size)
        : start_(out), bits_(out + 2),
          tokens_(new std::uint16_t[stored_only ? 0 : std::min(block_tokens, total_size + 1)]),
          token_capacity_(stored_only ? 0 : std::min(block_tokens, total_size + 1)), stored_only_(stored_only) {
        out[0] = 0x78;  // CMF: deflate, 32 KiB window
        out[1] = 0x01;  // FLG: fastest compression, check bits making CMF*256+FLG a multiple of 31
    }

    /// Compresses the next `size` bytes; `last` on the final piece (which may be empty). A run
    /// never continues across pieces, so pieces much larger than a row compress best.
    void add(const std::uint8_t* data, std::size_t size, bool last) {
        adler_ = adler32(adler_, data, size);
        std::uint16_t* tokens = tokens_.get();
        std::size_t at = 0;
        do {
            Block block{};
            const std::size_t end = stored_only_ ? size : tokenize(data, size, at, tokens, token_capacity_, block);
            const bool final_block = last && end == size;
            if (stored_only_ || !write_huffman_block(bits_, end - at, tokens, block, final_block))
                write_stored(bits_, data + at, end - at, final_block);
            at = end;
        } while (at < size);
    }

    /// Ends the stream after the last add(); returns its length in bytes.
    std::size_t finish() noexcept {
        bits_.align();
        std::uint8_t* p = bits_.position();
        for (int i = 0; i < 4; ++i) p[i] = std::uint8_t(adler_ >> (24 - 8 * i));
        return std::size_t(p + 4 - start_);
    }

private:
    /// What tokenize() learns about a block: its token count and symbol statistics.
    struct Block {
        std::size_t tokens;
        std::uint32_t freq[286];       // literal/length symbol frequencies
        std::uint64_t run_extra_bits;  // the runs' length extra bits plus their 1-bit distances
    };

    /// Tokenizes from `at` until the token buffer is full or the input ends, counting symbols into
    /// `block`; returns the input position reached.
    static std::size_t tokenize(const std::uint8_t* data, std::size_t size, std::size_t at, std::uint16_t* tokens,
                                std::size_t capacity, Block& block) noexcept {
        std::size_t i = at, n = 0;
        std::uint32_t* freq = block.freq;
        // Below `safe`, the three bytes after a literal exist: the run test needs no bounds check.
        const std::size_t safe = size >= 3 ? size - 3 : 0;
        while (i < safe && n < capacity) {
            // Literals until one starts a run (the three bytes after it equal it). Each step adds
            // one byte and one token, so one count bounds both.
            const std::size_t steps = std::min(safe - i, capacity - n);
            const std::uint8_t* p = data + i;
            std::uint16_t* t = tokens + n;
            std::size_t k = 0;
            std::uint8_t b = 0;
            bool at_run = false;
            for (; k < steps; ++k) {
                b = p[k];
                t[k] = b;
                ++freq[b];
                if (p[k + 1] == b && p[k + 2] == b && p[k + 3] == b) {
                    at_run = true;
                    ++k;
                    break;
                }
            }
            i += k;
            n += k;
            if (!at_run) continue;
            // A run of b of at least 3 from i: find its end a word at a time.
            std::size_t j = i + 3;
            std::uint64_t pattern;
            std::memset(&pattern, b, 8);
            for (std::uint64_t w; j + 8 <= size; j += 8) {
                std::memcpy(&w, data + j, 8);
                if (w != pattern) break;
            }
            while (j < size && data[j] == b) ++j;
            // As 258-byte copies and one shorter copy; a tail of 1 or 2 is left to the loop as
            // literals, as is what a full token buffer cuts off.
            for (std::size_t run = j - i; run >= 3 && n < capacity;) {
                const std::size_t len = std::min<std::size_t>(run, 258);
                tokens[n++] = std::uint16_t(256 + len - 3);
                ++freq[length_codes[len].symbol];
                block.run_extra_bits += length_codes[len].extra_bits + 1u;
                i += len;
                run -= len;
            }
        }
        for (; i < size && n < capacity; ++i) {
            tokens[n++] = data[i];
            ++freq[data[i]];
        }
        block.tokens = n;
        return i;
    }

    /// Writes a dynamic-Huffman block for the tokens unless storing the `raw_size` bytes they
    /// stand for is no larger; returns false (writing nothing) in that case.
    static bool write_huffman_block(BitWriter& bits, std::size_t raw_size, const std::uint16_t* tokens,
                                    Block& block, bool last) {
        std::uint32_t* freq = block.freq;
        freq[256] = 1;  // end of block
        std::uint8_t lit_len[286];
        huffman_lengths(freq, 286, 15, lit_len);
        // Distances are all 1 (code 0); codes 0 and 1 of one bit each make a complete code.
        const std::uint8_t dist_len[2] = {1, 1};
        std::size_t nlit = 286;
        while (nlit > 257 && lit_len[nlit - 1] == 0) --nlit;

        // The code lengths, run-length coded with symbols 0..18 (RFC 1951 section 3.2.7).
        std::uint8_t all[288];
        std::memcpy(all, lit_len, nlit);
        std::memcpy(all + nlit, dist_len, 2);
        const std::size_t nall = nlit + 2;
        std::uint16_t cl_syms[288];  // symbol | repeat count's extra bits << 8
        std::size_t ncl = 0;
        std::uint32_t cl_freq[19] = {};
        auto emit = [&](unsigned sym, std::size_t extra) {
            cl_syms[ncl++] = std::uint16_t(sym | extra << 8);
            ++cl_freq[sym];
        };
        for (std::size_t i = 0; i < nall;) {
            const std::uint8_t len = all[i];
            std::size_t r = 1;
            while (i + r < nall && all[i + r] == len) ++r;
            i += r;
            if (len == 0) {
                for (; r >= 11; r -= std::min<std::size_t>(r, 138)) emit(18, std::min<std::size_t>(r, 138) - 11);
                if (r >= 3) emit(17, r - 3), r = 0;
            } else {
                emit(len, 0), --r;
                for (; r >= 3; r -= std::min<std::size_t>(r, 6)) emit(16, std::min<std::size_t>(r, 6) - 3);
            }
            for (; r > 0; --r) emit(len, 0);
        }
        std::uint8_t cl_len[19];
        huffman_lengths(cl_freq, 19, 7, cl_len);
        static constexpr std::uint8_t cl_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        std::size_t nclen = 19;
        while (nclen > 4 && cl_len[cl_order[nclen - 1]] == 0) --nclen;

        // The block's size in bits, against storing the bytes (3 header bits, up to 7 to align,
        // LEN and NLEN per 65535 bytes).
        static constexpr unsigned cl_extra[19] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7};
        std::uint64_t total = 3 + 5 + 5 + 4 + 3 * nclen + block.run_extra_bits;
        for (std::size_t k = 0; k < ncl; ++k) total += cl_len[cl_syms[k] & 0xFF] + cl_extra[cl_syms[k] & 0xFF];
        for (unsigned sym = 0; sym < 286; ++sym) total += std::uint64_t(freq[sym]) * lit_len[sym];
        const std::uint64_t stored = (raw_size / 65535 + 1) * (3 + 32) + 7 + 8 * std::uint64_t(raw_size);
        if (total >= stored) return false;

        std::uint16_t cl_code[19], lit_code[286];
        huffman_codes(cl_len, 19, cl_code);
        huffman_codes(lit_len, 286, lit_code);
        bits.put(last ? 1u : 0u, 1);
        bits.put(2, 2);  // dynamic Huffman codes
        bits.put(nlit - 257, 5);
        bits.put(2 - 1, 5);  // two distance codes
        bits.put(nclen - 4, 4);
        for (std::size_t k = 0; k < nclen; ++k) bits.put(cl_len[cl_order[k]], 3);
        for (std::size_t k = 0; k < ncl; ++k) {
            const unsigned sym = cl_syms[k] & 0xFF;
            bits.put(cl_code[sym], cl_len[sym]);
            bits.put(unsigned(cl_syms[k] >> 8), cl_extra[sym]);
        }
        // Every token's whole bit string: a literal's code, or a run's length code, extra bits
        // and distance code 0 (one 0 bit). At most 15 + 5 + 1 bits, so two fit between flushes.
        std::uint32_t code[512];
        std::uint8_t count[512];
        for (unsigned t = 0; t < 256; ++t) code[t] = lit_code[t], count[t] = lit_len[t];
        for (unsigned len = 3; len <= 258; ++len) {
            const LengthCode& c = length_codes[len];
            code[256 + len - 3] = lit_code[c.symbol] | std::uint32_t(c.extra) << lit_len[c.symbol];
            count[256 + len - 3] = std::uint8_t(lit_len[c.symbol] + c.extra_bits + 1);
        }
        // A local copy whose address never escapes: its fields stay in registers across the
        // byte stores, which could otherwise alias them.
        BitWriter w = bits;
        std::size_t k = 0;
        for (; k + 2 <= block.tokens; k += 2) {
            w.add(code[tokens[k]], count[tokens[k]]);
            w.add(code[tokens[k + 1]], count[tokens[k + 1]]);
            w.flush();
        }
        if (k < block.tokens) w.put(code[tokens[k]], count[tokens[k]]);
        w.put(lit_code[256], lit_len[256]);
        bits = w;
        return true;
    }

    /// Writes bytes as stored blocks of at most 65535 bytes.
    static void write_stored(BitWriter& bits, const std::uint8_t* raw, std::size_t size, bool last) {
        do {
            const std::size_t n = std::min<std::size_t>(size, 65535);
            size -= n;
            bits.put(last && size == 0 ? 1u : 0u, 1);
            bits.put(0, 2);  // stored
            bits.align();
            const std::uint8_t header[4] = {std::uint8_t(n), std::uint8_t(n >> 8), std::uint8_t(~n), std::uint8_t(~n >> 8)};
            bits.put_bytes(header, 4);
            bits.put_bytes(raw, n);
            raw += n;
        } while (size > 0);
    }

    std::uint8_t* start_;
    BitWriter bits_;
    std::unique_ptr<std::uint16_t[]> tokens_;  // token_capacity_ tokens, left uninitialised
    std::size_t token_capacity_;
    std::uint32_t adler_ = 1;
    bool stored_only_;
};

#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
/// One libdeflate compressor per level and thread, allocated on first use and kept: allocating
/// one costs more than compressing a small mask.
inline libdeflate_compressor* libdeflate_compressor_for(int level) {
    struct Free {
        void operator()(libdeflate_compressor* c) const noexcept { libdeflate_free_compressor(c); }
    };
    thread_local std::unique_ptr<libdeflate_compressor, Free> cache[max_compression_level + 1];
    auto& slot = cache[level];
    if (!slot) {
        slot.reset(libdeflate_alloc_compressor(level));
        if (!slot) throw std::bad_alloc();
    }
    return slot.get();
}
#endif

/// The backend that writes a stream at `level` (0..max_compression_level): `best` resolved.
inline ZlibBackend resolve_backend(int level, ZlibBackend backend) noexcept {
    if (backend != ZlibBackend::best) return backend;
    return level >= 2 && have_libdeflate ? ZlibBackend::libdeflate : ZlibBackend::runs;
}

/// Compresses `size` bytes at `data` into one zlib stream.
/// \param level  0 (stored) .. max_compression_level, checked by the caller.
/// \param backend  `best` unless a test forces one.
/// \throws wandb::ValidationError  for the libdeflate backend in a build without it.
inline ByteBuffer zlib_compress(const std::uint8_t* data, std::size_t size, int level,
                                ZlibBackend backend = ZlibBackend::best) {
    ByteBuffer out;
    if (resolve_backend(level, backend) == ZlibBackend::libdeflate) {
#if defined(WANDB_IMAGEMASK_HAVE_LIBDEFLATE)
        libdeflate_compressor* c = libdeflate_compressor_for(level);
        const std::size_t bound = libdeflate_zlib_compress_bound(c, size);
        out.data = allocate_bytes(bound);
        out.size = libdeflate_zlib_compress(c, data, size, out.data.get(), bound);
        if (out.size == 0) throw std::bad_alloc();  // cannot happen with a bound-sized buffer
        return out;
#else
        throw ValidationError("wandb::encode_png: this build has no libdeflate backend");
#endif
    }
    out.data = allocate_bytes(RunDeflater::bound(size));
    RunDeflater z(out.data.get(), level == 0, size);
    z.add(data, size, true);
    out.size = z.finish();
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
