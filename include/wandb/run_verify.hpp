// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::verify_run`: checks an offline run directory before it is copied or synced. Reads every
/// record of its log (stopping at the first problem, with its byte offset), checks that every file
/// a Files, History or Artifact record names exists with the size and sha256 or md5 the record
/// gives, and that steps increase. Works on runs written by this library and by W&B's SDK.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "json.hpp"
#include "record_items.hpp"
#include "record_json.hpp"
#include "run_dir.hpp"
#include "run_log.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// One thing wrong with a run, as verify_run found it.
struct RunProblem {
    /// `corrupt_log`: a bad chunk or a record that does not decode (records after it are lost to
    /// every reader); `truncated_log`: the log ends inside a record and no writer holds it (a
    /// crash mid-write: `wandb sync` uploads the records before it, then reports an error);
    /// `missing_file` / `changed_file`: a file a record names is missing, or its size or digest
    /// differs from the record's; `step_order`: a step not greater than the one before;
    /// `moved_paths`: artifact files named by where the run directory was before it was moved or
    /// copied (`wandb sync` would not find them; wandb::relocate_run fixes this).
    enum class Kind { corrupt_log, truncated_log, missing_file, changed_file, step_order, moved_paths };
    Kind kind = Kind::corrupt_log;  ///< what is wrong
    std::string message;            ///< names the file or record and its byte offset in the log
};

/// What verify_run found in one run directory.
struct RunReport {
    std::filesystem::path dir;   ///< the run directory, canonical
    std::filesystem::path log;   ///< its `.wandb` log
    std::size_t records = 0;     ///< complete records read
    std::size_t rows = 0;        ///< History records
    std::optional<std::int64_t> first_step;  ///< the first history step, if any
    std::optional<std::int64_t> last_step;   ///< the last history step, if any
    std::size_t media_files = 0;  ///< distinct files below files/ that history values name
    std::size_t tables = 0;       ///< `run_table` Artifact records
    std::optional<std::int32_t> exit_code;  ///< from the Exit record; empty if there is none
    bool being_written = false;  ///< a live writer holds the log's lock (wandb::log_is_being_written)
    bool synced = false;         ///< `wandb sync` marked the log synced (wandb::synced_marker)
    std::vector<RunProblem> problems;  ///< in the order found

    /// True when nothing is wrong.
    bool ok() const noexcept { return problems.empty(); }

    /// True when some problem is of `kind`.
    bool has(RunProblem::Kind kind) const noexcept;

    /// One line: rows, steps, media files, tables, and the exit code, "not finished" or "being
    /// written", then ", synced" if marked, e.g.
    /// "100 rows, steps 0..99, 15 media files, 1 table, exit code 0".
    std::string summary() const;
};

/// Checks the offline run at `run` (a run directory, or its `.wandb` log) and reports what it
/// holds and every problem found; see RunReport and RunProblem. Reads the whole log and every
/// file it names (hashing each once). A run whose writer is still alive (wandb::log_is_being_written)
/// is reported as `being_written`, and the record its writer is in the middle of is not a problem.
/// \throws wandb::ValidationError  if `run` is not a run directory (wandb::find_run_log).
/// \throws wandb::IoError  if the log or a file cannot be read.
RunReport verify_run(const std::filesystem::path& run);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "run_verify-inl.hpp"
#endif
