// What the fuzz targets share: a scratch file the library reads its input from, so each target
// calls exactly the constructor a user calls (wandb::ImageMask(path), wandb::Image(path),
// wandb::RunLogReader(path)) on the fuzzer's bytes.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace wandb_fuzz {

/// A directory of this process's own (mkdtemp) below $WANDB_FUZZ_TMPDIR (tests/run.sh points it
/// into the build directory and removes it afterwards), else below the system temporary directory.
/// libFuzzer ends with _Exit, so the directory is not removed at exit.
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        const char* env = std::getenv("WANDB_FUZZ_TMPDIR");
        const std::filesystem::path base = env && *env ? env : std::filesystem::temp_directory_path();
        std::filesystem::create_directories(base);
        std::string d = (base / "wandb-fuzz-XXXXXX").string();
        if (::mkdtemp(d.data()) == nullptr) {
            std::perror("wandb fuzz: cannot make the scratch directory");
            std::abort();
        }
        return std::filesystem::path(d);
    }();
    return dir;
}

/// Writes `size` bytes to `name` in the scratch directory (replacing it) and returns its path.
/// The old file is unlinked rather than truncated: ext4 flushes a file truncated and rewritten at
/// close (auto_da_alloc), which would make every execution wait for the disk.
inline std::filesystem::path write_scratch(const std::string& name, const std::uint8_t* data, std::size_t size) {
    const std::filesystem::path path = scratch_dir() / name;
    ::unlink(path.c_str());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        std::perror("wandb fuzz: cannot write the scratch file");
        std::abort();
    }
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n <= 0) {
            std::perror("wandb fuzz: cannot write the scratch file");
            std::abort();
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return path;
}

/// Stops the fuzzer with a message when an invariant does not hold.
#define WANDB_FUZZ_CHECK(condition)                                                          \
    do {                                                                                     \
        if (!(condition)) {                                                                  \
            std::fprintf(stderr, "wandb fuzz: check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                         #condition);                                                        \
            std::abort();                                                                    \
        }                                                                                    \
    } while (false)

}  // namespace wandb_fuzz
