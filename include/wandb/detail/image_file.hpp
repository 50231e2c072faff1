// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Reading image files given by path: the bytes (read once, so what is logged is what was
/// validated), the format from the signature, and sizes checked before anything is decoded.

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "../error.hpp"
#include "crc32.hpp"
#include "image_types.hpp"
#include "input_file.hpp"
#include "stb.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Reads a whole file given by the user; only a regular file is read (see input_file.hpp).
/// \param who  message prefix; \param what  e.g. "mask file".
/// \throws ValidationError (the file is input, not output) naming the path and the system's
///         reason, or what the path is when it is not a regular file (a FIFO, a directory, ...).
inline SharedBytes read_input_file(const std::filesystem::path& path, const char* who, const char* what) {
    const std::string prefix = std::string(who) + ": cannot read " + what + " " + path.string() + ": ";
    const InputFile in(path.string());
    if (!in) throw ValidationError(prefix + in.problem());
    // Checked before reading: no image W&B shows is this large, and reading it could exhaust memory.
    if (in.size() > static_cast<std::uint64_t>(INT_MAX))
        throw ValidationError(std::string(who) + ": " + what + " " + path.string() + " is larger than 2 GiB");
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(in.size()));
    const long long n = in.read_fully(bytes->data(), bytes->size());
    if (n < 0) throw ValidationError(prefix + std::strerror(errno));
    bytes->resize(static_cast<std::size_t>(n));  // a file that shrank while read: what was there
    return bytes;
}

/// The format named by a file's leading bytes.
inline FileFormat sniff_format(const std::vector<std::uint8_t>& b) noexcept {
    static constexpr std::uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (b.size() >= 8 && std::memcmp(b.data(), png_sig, 8) == 0) return FileFormat::png;
    if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return FileFormat::jpeg;
    if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return FileFormat::bmp;
    return FileFormat::unknown;
}

/// The fields of a PNG's IHDR chunk.
struct PngHeader {
    std::uint32_t width = 0, height = 0;
    int bit_depth = 0, color_type = 0;
    int interlace = 0;  ///< 0 none, 1 Adam7
    /// Channels of the color type: gray 1, RGB 3, palette 1 (indices), gray+alpha 2, RGBA 4.
    int channels() const noexcept {
        switch (color_type) {
            case 0: return 1;
            case 2: return 3;
            case 3: return 1;
            case 4: return 2;
            case 6: return 4;
            default: return 0;
        }
    }
    /// "gray", "RGB", "palette", "gray+alpha", "RGBA".
    const char* color_name() const noexcept {
        switch (color_type) {
            case 0: return "gray";
            case 2: return "RGB";
            case 3: return "palette";
            case 4: return "gray+alpha";
            case 6: return "RGBA";
            default: return "unknown color type";
        }
    }
};

/// Parses the IHDR of a PNG file image; false if the bytes are too short or it is not first.
inline bool read_png_header(const std::vector<std::uint8_t>& b, PngHeader& h) noexcept {
    if (b.size() < 33 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) return false;
    auto be32 = [&](std::size_t at) {
        return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 | std::uint32_t(b[at + 2]) << 8 | b[at + 3];
    };
    if (be32(8) != 13) return false;
    h.width = be32(16);
    h.height = be32(20);
    h.bit_depth = b[24];
    h.color_type = b[25];
    h.interlace = b[28];
    return true;
}

/// The number of bytes a PNG's image data (the zlib stream of its IDAT chunks) inflates to: per
/// row, one filter byte and the packed samples; with Adam7 interlacing, per row of each pass.
inline std::uint64_t png_raw_size(const PngHeader& h) noexcept {
    const std::uint64_t bits = std::uint64_t(h.bit_depth) * std::uint64_t(h.channels());
    auto rows = [&](std::uint64_t w, std::uint64_t rows_count) {
        return w == 0 || rows_count == 0 ? 0 : rows_count * (1 + (w * bits + 7) / 8);
    };
    if (h.interlace == 0) return rows(h.width, h.height);
    static constexpr std::uint64_t x0[7] = {0, 4, 0, 2, 0, 1, 0}, y0[7] = {0, 0, 4, 0, 2, 0, 1};
    static constexpr std::uint64_t dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    std::uint64_t total = 0;
    for (int p = 0; p < 7; ++p) {
        const std::uint64_t w = h.width > x0[p] ? (h.width - x0[p] + dx[p] - 1) / dx[p] : 0;
        const std::uint64_t r = h.height > y0[p] ? (h.height - y0[p] + dy[p] - 1) / dy[p] : 0;
        total += rows(w, r);
    }
    return total;
}

/// Walks a PNG file image's chunks and checks each chunk's bounds and CRC and that IEND ends it
/// (stb skips CRCs, and decodes some truncated files); returns what is wrong, or "" if nothing.
inline std::string png_chunk_problem(const std::vector<std::uint8_t>& b) {
    std::size_t at = 8;
    while (true) {
        if (at == b.size()) return "truncated at byte " + std::to_string(b.size()) + " (no IEND chunk)";
        if (at + 12 > b.size())
            return "truncated: chunk at byte " + std::to_string(at) + " runs past the end of the file";
        const std::uint32_t length =
            std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 | std::uint32_t(b[at + 2]) << 8 | b[at + 3];
        if (length > b.size() - at - 12)
            return "truncated: chunk at byte " + std::to_string(at) + " runs past the end of the file";
        const std::uint8_t* type = b.data() + at + 4;
        const std::uint32_t stored = std::uint32_t(b[at + 8 + length]) << 24 | std::uint32_t(b[at + 9 + length]) << 16 |
                                     std::uint32_t(b[at + 10 + length]) << 8 | b[at + 11 + length];
        if (crc32(0, type, 4 + std::size_t(length)) != stored)
            return "bad CRC in chunk " + std::string(reinterpret_cast<const char*>(type), 4) + " at byte " +
                   std::to_string(at);
        if (std::memcmp(type, "IEND", 4) == 0) return "";
        at += 12 + std::size_t(length);
    }
}

/// Width, height and channels of an image file image, read from its header without decoding.
struct ImageFileInfo {
    FileFormat format = FileFormat::unknown;
    std::size_t width = 0, height = 0;
    int channels = 0;
};

/// What a JPEG file image's marker structure says, as far as decoding needs it.
struct JpegStructure {
    std::string problem;      ///< what is wrong ("" if nothing), e.g. "truncated at byte 812 (no EOI marker)"
    int frame_marker = 0;     ///< the SOFn marker (0xC0..0xCF), 0 if none was seen
    int precision = 0;        ///< bits per sample from the frame header
};

/// Walks a JPEG's markers (ITU T.81 annex B): SOI, segments with their lengths, each scan's
/// entropy-coded data up to the next marker, and EOI. stb pads a file that ends early with zero
/// bits and decodes it without complaint, so a truncated file is only seen here. Also checks
/// that every quantization and Huffman table a frame or scan uses was defined before: stb 2.27
/// (Debian 12) keeps undefined tables uninitialized and reads out of bounds through them.
inline JpegStructure jpeg_structure(const std::vector<std::uint8_t>& b) {
    JpegStructure out;
    const std::size_t n = b.size();
    bool scanned = false;
    bool quantization[4] = {}, huffman[2][4] = {};  // defined so far: DQT Tq; DHT [Tc][Th]
    int component_id[4] = {}, component_table[4] = {}, components = 0;
    auto fail = [&](const std::string& problem) {
        out.problem = problem;
        return out;
    };
    std::size_t at = 2;  // after SOI
    while (true) {
        if (at >= n) {
            out.problem = "truncated at byte " + std::to_string(n) + " (no EOI marker)";
            return out;
        }
        if (b[at] != 0xFF) {
            out.problem = "no marker at byte " + std::to_string(at);
            return out;
        }
        while (at + 1 < n && b[at + 1] == 0xFF) ++at;  // fill bytes
        if (at + 1 >= n) {
            out.problem = "truncated at byte " + std::to_string(n) + " (no EOI marker)";
            return out;
        }
        const int marker = b[at + 1];
        if (marker == 0xD9) {  // EOI: bytes after it are not part of the image
            if (!scanned) out.problem = "no image data before the EOI marker";
            return out;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // standalone markers
            at += 2;
            continue;
        }
        if (at + 4 > n || (std::size_t(b[at + 2]) << 8 | b[at + 3]) < 2 ||
            at + 2 + (std::size_t(b[at + 2]) << 8 | b[at + 3]) > n) {
            out.problem = "truncated: the segment at byte " + std::to_string(at) + " runs past the end of the file";
            return out;
        }
        const std::size_t length = std::size_t(b[at + 2]) << 8 | b[at + 3];
        const std::size_t body = at + 4, end = at + 2 + length;  // the segment's parameters
        const std::string where = " at byte " + std::to_string(at);
        const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (marker == 0xDB) {  // DQT: (Pq << 4 | Tq, 64 or 128 bytes) ...
            for (std::size_t k = body; k < end;) {
                const int table = b[k] & 0x0F;
                if (table > 3) return fail("bad quantization table id " + std::to_string(table) + where);
                quantization[table] = true;
                k += 1 + ((b[k] >> 4) != 0 ? 128 : 64);
            }
        } else if (marker == 0xC4) {  // DHT: (Tc << 4 | Th, 16 counts, the values) ...
            for (std::size_t k = body; k < end;) {
                const int table_class = b[k] >> 4, table = b[k] & 0x0F;
                if (table_class > 1 || table > 3 || k + 17 > end) return fail("bad Huffman table" + where);
                std::size_t values = 0;
                for (std::size_t c = 1; c <= 16; ++c) values += b[k + c];
                huffman[table_class][table] = true;
                k += 17 + values;
            }
        } else if (frame && out.frame_marker == 0) {  // SOFn: P, Y, X, Nf, then (C, H << 4 | V, Tq) each
            if (length < 8) return fail("bad frame header" + where);
            out.frame_marker = marker;
            out.precision = b[at + 4];
            components = std::min<int>(b[at + 9], 4);
            if (length < 8 + 3 * std::size_t(components)) return fail("bad frame header" + where);
            for (int c = 0; c < components; ++c) {
                component_id[c] = b[at + 10 + 3 * std::size_t(c)];
                component_table[c] = b[at + 12 + 3 * std::size_t(c)] & 0x0F;
            }
        } else if (marker == 0xDA) {  // SOS: Ns, (Cs, Td << 4 | Ta) each, Ss, Se, Ah << 4 | Al
            if (out.frame_marker == 0) return fail("a scan before the frame header" + where);
            const std::size_t count = length >= 3 ? b[body] : 0;
            if (length < 6 + 2 * count) return fail("bad scan header" + where);
            const int ss = b[body + 1 + 2 * count];
            const int se = b[body + 2 + 2 * count];
            const bool progressive = out.frame_marker == 0xC2;
            for (std::size_t c = 0; c < count; ++c) {
                const int id = b[body + 1 + 2 * c], tables = b[body + 2 + 2 * c];
                int index = -1;
                for (int k = 0; k < components; ++k)
                    if (component_id[k] == id) index = k;
                if (index < 0) return fail("the scan" + where + " names component " + std::to_string(id) + ", not in the frame");
                if (component_table[index] > 3 || !quantization[component_table[index]])
                    return fail("component " + std::to_string(id) + " uses quantization table " +
                                std::to_string(component_table[index]) + ", which is not defined before the scan" + where);
                const bool dc = !progressive || ss == 0, ac = !progressive || se > 0;
                if ((dc && ((tables >> 4) > 3 || !huffman[0][tables >> 4])) || (ac && ((tables & 15) > 3 || !huffman[1][tables & 15])))
                    return fail("the scan" + where + " uses a Huffman table that is not defined before it");
            }
        }
        at = end;
        if (marker == 0xDA) {  // SOS: entropy-coded data up to the next marker (not RSTn, not a stuffed 0xFF00)
            scanned = true;
            while (at + 1 < n && !(b[at] == 0xFF && b[at + 1] != 0x00 && !(b[at + 1] >= 0xD0 && b[at + 1] <= 0xD7))) ++at;
            if (at + 1 >= n) {
                out.problem = "truncated at byte " + std::to_string(n) + " (its image data has no EOI marker)";
                return out;
            }
        }
    }
}

/// What a JPEG frame marker codes that stb (and so this library) cannot decode, or nullptr.
inline const char* unsupported_jpeg_coding(int marker) noexcept {
    switch (marker) {
        case 0xC0: case 0xC1: case 0xC2: return nullptr;  // baseline, extended sequential, progressive (Huffman)
        case 0xC3: return "lossless coding (SOF3)";
        case 0xC5: case 0xC6: case 0xC7: return "hierarchical coding (SOF5-7)";
        default: return "arithmetic coding (SOF9-15)";
    }
}

/// The fields of a BMP's file and info headers that decoding needs.
struct BmpHeader {
    std::uint32_t pixel_offset = 0;
    std::uint32_t header_size = 0;
    std::int64_t width = 0, height = 0;  ///< height < 0: rows stored top-down
    int bits = 0;                        ///< bits per pixel
    std::uint32_t compression = 0;       ///< 0 BI_RGB, 1 RLE8, 2 RLE4, 3 BI_BITFIELDS, 4 JPEG, 5 PNG
};

/// Parses a BMP's headers; false if the bytes are too short for them.
inline bool read_bmp_header(const std::vector<std::uint8_t>& b, BmpHeader& h) noexcept {
    auto le16 = [&](std::size_t at) { return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8; };
    auto le32 = [&](std::size_t at) { return le16(at) | le16(at + 2) << 16; };
    if (b.size() < 26) return false;
    h.pixel_offset = le32(10);
    h.header_size = le32(14);
    if (h.header_size == 12) {  // OS/2 BITMAPCOREHEADER: unsigned 16-bit sides
        h.width = le16(18);
        h.height = le16(20);
        h.bits = static_cast<int>(le16(24));
        return true;
    }
    if (b.size() < 34) return false;
    h.width = static_cast<std::int32_t>(le32(18));
    h.height = static_cast<std::int32_t>(le32(22));
    h.bits = static_cast<int>(le16(28));
    h.compression = le32(30);
    return true;
}

/// Why stb cannot decode a BMP with this header, as "unsupported ..." text, or "".
inline std::string unsupported_bmp(const BmpHeader& h) {
    static const char* const compressions[] = {"", "RLE8", "RLE4", "", "JPEG", "PNG"};
    if (h.header_size != 12 && h.header_size != 40 && h.header_size != 56 && h.header_size != 108 &&
        h.header_size != 124)
        return "unsupported BMP header of " + std::to_string(h.header_size) + " bytes";
    if (h.compression == 1 || h.compression == 2 || h.compression == 4 || h.compression == 5)
        return std::string("unsupported BMP compression ") + compressions[h.compression];
    if (h.compression > 5) return "unsupported BMP compression " + std::to_string(h.compression);
    if (h.bits != 1 && h.bits != 4 && h.bits != 8 && h.bits != 16 && h.bits != 24 && h.bits != 32)
        return "unsupported BMP depth of " + std::to_string(h.bits) + " bits per pixel";
    return "";
}

/// Reads the size of a png/jpeg/bmp file image and checks its structure before anything is
/// decoded: sides 1..65500, PNG chunks and CRCs, JPEG markers up to EOI, BMP pixel data present;
/// no more pixels than its bytes can hold compressed (a PNG's raw data inflates at most 1032:1
/// from deflate; a JPEG codes every 8x8 block's DC coefficient in at least one bit), so a 100-byte
/// file announcing 60000x60000 pixels fails here without allocating; and codings stb cannot
/// decode are refused as "unsupported ...".
/// \throws ValidationError naming `what` and the path: not an image, corrupt, unsupported or too large.
inline ImageFileInfo probe_image(const std::vector<std::uint8_t>& bytes, const std::filesystem::path& path,
                                 const char* who, const char* what) {
    const std::string name = std::string(who) + ": " + what + " " + path.string();
    ImageFileInfo info;
    info.format = sniff_format(bytes);
    if (info.format == FileFormat::unknown) throw ValidationError(name + " is not a PNG, JPEG or BMP image");
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw ValidationError(name + " is larger than 2 GiB");
    std::int64_t w = 0, h = 0;
    double needed = 0;  // the fewest bytes the file must have for its pixels
    if (info.format == FileFormat::png) {
        const std::string problem = png_chunk_problem(bytes);
        if (!problem.empty()) throw ValidationError(name + " is corrupt: " + problem);
        PngHeader header;
        if (!read_png_header(bytes, header) || header.channels() == 0)
            throw ValidationError(name + " is corrupt: no valid IHDR chunk");
        w = header.width;
        h = header.height;
        info.channels = header.channels();
        needed = (double(png_raw_size(header)) - 65536.0) / 1032.0;  // raw bytes, at the bit depth
    } else if (info.format == FileFormat::jpeg) {
        const JpegStructure jpeg = jpeg_structure(bytes);
        if (!jpeg.problem.empty()) throw ValidationError(name + " is corrupt: " + jpeg.problem);
        if (jpeg.frame_marker == 0) throw ValidationError(name + " is corrupt: no frame header (SOFn marker)");
        if (const char* coding = unsupported_jpeg_coding(jpeg.frame_marker))
            throw ValidationError(name + " uses unsupported JPEG " + coding);
        if (jpeg.precision != 8)
            throw ValidationError(name + " uses unsupported JPEG sample precision of " +
                                  std::to_string(jpeg.precision) + " bits (only 8)");
        int iw = 0, ih = 0, ic = 0;
        if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &iw, &ih, &ic))
            throw ValidationError(name + " is corrupt: " +
                                  (stbi_failure_reason() ? stbi_failure_reason() : "unreadable header"));
        w = iw;
        h = ih;
        info.channels = ic;
        needed = (double(w) * double(h) - double(1 << 20)) / 512.0;
    } else {
        BmpHeader header;
        if (!read_bmp_header(bytes, header)) throw ValidationError(name + " is corrupt: truncated in its headers");
        const std::string unsupported = unsupported_bmp(header);
        if (!unsupported.empty()) throw ValidationError(name + " uses " + unsupported);
        w = header.width;
        h = header.height < 0 ? -header.height : header.height;  // negative: stored top-down
        info.channels = header.bits == 32 ? 4 : 3;
        if (w > 0 && h > 0) {
            const std::uint64_t row = (std::uint64_t(w) * std::uint64_t(header.bits) + 31) / 32 * 4;
            const std::uint64_t end = std::uint64_t(header.pixel_offset) + row * std::uint64_t(h);
            if (end > bytes.size())
                throw ValidationError(name + " is corrupt: truncated: its " + std::to_string(w) + "x" +
                                      std::to_string(h) + " pixels of " + std::to_string(header.bits) +
                                      " bits end at byte " + std::to_string(end) + ", but the file has " +
                                      std::to_string(bytes.size()) + " bytes");
        }
    }
    if (w <= 0 || h <= 0 || std::uint64_t(w) > max_image_side || std::uint64_t(h) > max_image_side)
        throw ValidationError(name + " is " + std::to_string(w) + "x" + std::to_string(h) +
                              " pixels; sides must be 1.." + std::to_string(max_image_side));
    info.width = static_cast<std::size_t>(w);
    info.height = static_cast<std::size_t>(h);
    if (needed > double(bytes.size()))
        throw ValidationError(name + " announces " + std::to_string(w) + "x" + std::to_string(h) +
                              " pixels, more than its " + std::to_string(bytes.size()) + " bytes can hold");
    return info;
}

/// Frees stb's decoded buffers.
struct StbImageDeleter {
    void operator()(std::uint8_t* p) const noexcept { stbi_image_free(p); }
};

/// Pixels decoded by stb, freed with stbi_image_free.
using StbPixels = std::unique_ptr<std::uint8_t, StbImageDeleter>;

/// Checks that a PNG file image already checked by probe_image inflates to no more bytes than its
/// header's pixels need, with a buffer of exactly that size: stb would inflate all of it into a
/// growing buffer, so a small file announcing 1x1 pixels could make it allocate gigabytes.
/// \throws ValidationError naming `what` and the path.
inline void check_png_inflated_size(const std::vector<std::uint8_t>& b, const std::string& name) {
    PngHeader header;
    if (!read_png_header(b, header)) throw ValidationError(name + " is corrupt: no valid IHDR chunk");
    const std::uint64_t raw = png_raw_size(header);
    const std::string size = std::to_string(header.width) + "x" + std::to_string(header.height);
    if (raw > static_cast<std::uint64_t>(INT_MAX))
        throw ValidationError(name + " is too large to decode: its " + size + " pixels need more than 2 GiB");
    std::vector<std::uint8_t> stream;  // the IDAT payloads, in order, up to IEND (bytes after it are not chunks)
    for (std::size_t at = 8; at + 12 <= b.size();) {
        const std::size_t length = std::size_t(b[at]) << 24 | std::size_t(b[at + 1]) << 16 |
                                   std::size_t(b[at + 2]) << 8 | b[at + 3];
        if (length > b.size() - at - 12 || std::memcmp(b.data() + at + 4, "IEND", 4) == 0) break;
        if (std::memcmp(b.data() + at + 4, "IDAT", 4) == 0)
            stream.insert(stream.end(), b.begin() + std::ptrdiff_t(at + 8), b.begin() + std::ptrdiff_t(at + 8 + length));
        at += 12 + length;
    }
    if (stream.size() > static_cast<std::size_t>(INT_MAX)) throw ValidationError(name + " is larger than 2 GiB");
    std::vector<char> out(static_cast<std::size_t>(raw) + 1);  // +1: never a zero-length buffer
    const int n = stbi_zlib_decode_buffer(out.data(), static_cast<int>(raw), reinterpret_cast<const char*>(stream.data()),
                                          static_cast<int>(stream.size()));
    if (n >= 0) return;  // fewer bytes than needed: stb's decoder reports it
    const char* reason = stbi_failure_reason();
    if (reason && std::strcmp(reason, "output buffer limit") == 0)
        throw ValidationError(name + " is corrupt: its image data inflates to more than the " + std::to_string(raw) +
                              " bytes a " + size + " image of " + std::to_string(header.bit_depth) + "-bit " +
                              header.color_name() + " needs");
    throw ValidationError(name + " is corrupt: " + (reason ? reason : "bad image data"));
}

/// Decodes a file image already checked by probe_image to 8-bit pixels with `channels` channels.
/// PNG image data is first checked to inflate to no more than its pixels need.
/// \throws ValidationError naming `what` and the path with stb's reason if decoding fails.
inline StbPixels decode_image(const std::vector<std::uint8_t>& bytes, int channels, const std::filesystem::path& path,
                              const char* who, const char* what) {
    if (sniff_format(bytes) == FileFormat::png)
        check_png_inflated_size(bytes, std::string(who) + ": " + what + " " + path.string());
    int w = 0, h = 0, c = 0;
    StbPixels pixels(stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &c, channels));
    if (!pixels)
        throw ValidationError(std::string(who) + ": " + what + " " + path.string() + " is corrupt: " +
                              (stbi_failure_reason() ? stbi_failure_reason() : "cannot decode"));
    return pixels;
}

/// Decodes a file image already checked by probe_image in full and throws if it does not decode
/// to the size its header announced: what is accepted is an image W&B can show, not just a
/// header. The pixels are discarded.
/// \throws ValidationError as decode_image, or if the decoded size differs from `info`'s.
inline void check_decodes(const std::vector<std::uint8_t>& bytes, const ImageFileInfo& info,
                          const std::filesystem::path& path, const char* who, const char* what) {
    if (sniff_format(bytes) == FileFormat::png)
        check_png_inflated_size(bytes, std::string(who) + ": " + what + " " + path.string());
    int w = 0, h = 0, c = 0;
    const StbPixels pixels(stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &c, 0));
    if (!pixels)
        throw ValidationError(std::string(who) + ": " + what + " " + path.string() + " is corrupt: " +
                              (stbi_failure_reason() ? stbi_failure_reason() : "cannot decode"));
    if (std::size_t(w) != info.width || std::size_t(h) != info.height)
        throw ValidationError(std::string(who) + ": " + what + " " + path.string() + " is corrupt: its header says " +
                              std::to_string(info.width) + "x" + std::to_string(info.height) + " pixels, it decodes to " +
                              std::to_string(w) + "x" + std::to_string(h));
}

}  // namespace detail
WANDB_NAMESPACE_END
