// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::relocate_run`: after a run directory was moved or copied (the air-gapped workflow: run
/// on the cluster, copy, `wandb sync` elsewhere), rewrites the absolute paths its log holds
/// (detail::absolute_path_fields: the artifact manifests' staged `local_path`s) to where their
/// files are now, so that W&B's uploader, which opens them as written, finds them.
///
/// Safe at every moment: the new log is written beside the old one (`<log>.relocating`), fsynced,
/// read back and compared record by record, then renamed over the old one, and the directory is
/// fsynced; a crash at any point leaves either the old log or the new one, whole. Every byte of
/// every record other than the rewritten strings and the lengths enclosing them stays the same.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "error.hpp"
#include "record_json.hpp"
#include "run_dir.hpp"
#include "run_log.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// What relocate_run did.
struct RelocateResult {
    std::filesystem::path dir;              ///< the run directory, canonical: the paths' new prefix
    std::filesystem::path log;              ///< the log
    std::size_t paths_rewritten = 0;        ///< 0: every path already named the current location; nothing written
    std::size_t records_rewritten = 0;      ///< records holding a rewritten path
    std::vector<std::string> old_dirs;      ///< the prefixes replaced, each once, in log order
    std::uint64_t dropped_tail_bytes = 0;   ///< a truncated last record (a crash mid-write) not carried over
};

/// Rewrites the absolute paths in the log of the run at `run` (a run directory, or its `.wandb`
/// log) that name files outside the run directory whose counterparts are now below it (see
/// detail::path_status: the longest tail of the old path that names a file below the directory).
/// Idempotent: when every path already names the current location, nothing is written (the file
/// is not touched) and `paths_rewritten` is 0. A truncated tail (the partial record a crash left)
/// is not carried into the rewritten log; `dropped_tail_bytes` says how long it was.
/// \throws wandb::ValidationError  and changes nothing if the run is still being written (its
///   writer holds the log's lock), is marked synced (`<log>.synced`), its log is corrupt, or a path
///   outside the directory has no counterpart below it and does not exist where it names, e.g.
///   "wandb::relocate_run: /c/run: cannot relocate /a/run/artifacts/staging/tmpx (artifact
///   run-ab-t, the record at offset 9000): no file below the run directory matches it".
/// \throws wandb::IoError  if the new log cannot be written, read back or renamed (the old one
///   stays in place and no temporary file is left), or if reading fails.
RelocateResult relocate_run(const std::filesystem::path& run);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "run_relocate-inl.hpp"
#endif
