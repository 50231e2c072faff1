// What `verify`, `relocate` and `sync` print about a run: its summary line or what was relocated
// on stdout, its problems on stderr.
#pragma once

#include <iostream>
#include <string>

#include <wandb/run_relocate.hpp>
#include <wandb/run_verify.hpp>

namespace wandb_tool {

/// Prints `<run>: <summary>: ok` (or `: N problems`) on stdout, then `<run>: <problem>` on stderr
/// for each problem; `run` is the run as the user named it.
inline void print_run_report(const std::string& run, const wandb::RunReport& report) {
    const std::size_t n = report.problems.size();
    std::cout << run << ": " << report.summary() << ": "
              << (n == 0 ? std::string("ok") : std::to_string(n) + (n == 1 ? " problem" : " problems")) << "\n";
    std::cout.flush();
    for (const auto& p : report.problems) std::cerr << run << ": " << p.message << "\n";
}

/// Prints what relocate_run did on stdout: `<run>: relocated N paths in M records from OLD to NEW`
/// or `<run>: nothing to relocate: ...`.
inline void print_relocation(const std::string& run, const wandb::RelocateResult& result) {
    if (result.paths_rewritten == 0) {
        std::cout << run << ": nothing to relocate: every path in the log is below " << result.dir.string() << "\n";
        return;
    }
    std::string from;
    for (const std::string& d : result.old_dirs) from += (from.empty() ? "" : ", ") + d;
    std::cout << run << ": relocated " << result.paths_rewritten << (result.paths_rewritten == 1 ? " path" : " paths")
              << " in " << result.records_rewritten << (result.records_rewritten == 1 ? " record" : " records")
              << " from " << from << " to " << result.dir.string();
    if (result.dropped_tail_bytes)
        std::cout << "; left out the truncated last record (" << result.dropped_tail_bytes << " bytes)";
    std::cout << "\n";
}

}  // namespace wandb_tool
