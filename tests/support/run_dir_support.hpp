// Helpers for the tests of what happens to a run directory after it was written: runs with
// images and a table to check, move, damage and relocate, and the records of their logs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <wandb/wandb.hpp>

#include "run_support.hpp"
#include "test_support.hpp"

namespace wandb_test {

/// A small RGB image with a two-class mask whose boundary is at row `split`.
inline wandb::Image split_image(std::size_t split, std::uint8_t shade = 90) {
    xt::xtensor<std::uint8_t, 2> mask = xt::zeros<std::uint8_t>({16, 16});
    for (std::size_t r = split; r < 16; ++r)
        for (std::size_t c = 0; c < 16; ++c) mask(r, c) = 1;
    return wandb::Image(xt::xtensor<std::uint8_t, 3>(std::array<std::size_t, 3>{16, 16, 3}, shade))
        .with_mask("predictions", wandb::ImageMask(mask, wandb::ClassLabels{{0, "sky"}, {1, "road"}}));
}

/// A finished run below `root` (run id `run_id`): three scalar rows, a masked image at step 1,
/// and at step 2 a table of `table_rows` distinct masked images. Returns the run directory.
inline fs::path write_table_run(const fs::path& root, const std::string& run_id = "tbl00001", std::size_t table_rows = 2) {
    wandb::OfflineRunOptions options = quiet_run_options(root);
    options.run_id = run_id;
    wandb::OfflineRun run(options);
    run.log({{"loss", 1.0}});
    run.log({{"loss", 0.5}, {"img", split_image(4)}});
    wandb::Table table({"id", "image"});
    for (std::size_t i = 0; i < table_rows; ++i)
        table.add_data({static_cast<int>(i), split_image(i % 15 + 1, static_cast<std::uint8_t>(10 + i))});
    run.log({{"samples", table}, {"loss", 0.25}});
    run.finish();
    return run.dir();
}

/// Copies the directory `from` to `to`, everything in it (read-only staged files included).
inline void copy_dir(const fs::path& from, const fs::path& to) {
    fs::create_directories(to.parent_path());
    fs::copy(from, to, fs::copy_options::recursive);
}

/// Removes `dir` and everything in it, read-only files included.
inline void remove_dir(const fs::path& dir) { fs::remove_all(dir); }

/// Every record of a log: offset and bytes; REQUIREs that the log reads back whole.
inline std::vector<wandb::LogRecord> raw_records(const fs::path& log) {
    wandb::RunLogReader reader(log.string());
    auto all = reader.read_all();
    REQUIRE_FALSE(all.problem.has_value());
    return std::move(all.records);
}

/// The offset of the first record whose decoded JSON has the field `kind` (e.g. "artifact") and,
/// for history, whose row has the top-level key `key`.
inline std::uint64_t offset_of(const fs::path& log, const std::string& kind, const std::string& key = "") {
    for (const auto& r : raw_records(log)) {
        const wandb::Json j = wandb::decode_record(r.data);
        if (!j.contains(kind)) continue;
        if (!key.empty() && !history_row(j[kind]["item"]).contains(key)) continue;
        return r.offset;
    }
    FAIL("no " << kind << " record" << (key.empty() ? "" : " with " + key));
    return 0;
}

/// The decoded first record of `kind` in a log.
inline wandb::Json first_of(const fs::path& log, const std::string& kind) {
    for (const auto& r : raw_records(log)) {
        wandb::Json j = wandb::decode_record(r.data);
        if (j.contains(kind)) return j[kind];
    }
    FAIL("no " << kind << " record");
    return {};
}

}  // namespace wandb_test
