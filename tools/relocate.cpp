// `wandb-imagemask relocate RUN_DIR...`: rewrites the absolute paths of a moved or copied run.
#include <exception>
#include <iostream>
#include <string>

#include <wandb/run_relocate.hpp>

#include "commands.hpp"
#include "run_report.hpp"

namespace wandb_tool {

namespace {

constexpr const char* usage = "usage: wandb-imagemask relocate RUN_DIR...\n";
constexpr const char* help =
    "\n"
    "After a run directory was moved or copied, rewrites the absolute paths its .wandb log holds\n"
    "(the staged files of logged tables, which `wandb sync` opens as written) to where those files\n"
    "are now. Every other byte of every record stays the same. The new log is written beside the\n"
    "old one, fsynced, read back and compared, then renamed over it: a crash at any moment leaves\n"
    "one whole log. Running it again changes nothing. Refuses a run still being written and one\n"
    "already marked synced (run-<id>.wandb.synced).\n"
    "\n"
    "Prints one line per run on stdout, e.g.\n"
    "  RUN_DIR: relocated 12 paths in 1 record from /old/dir to /new/dir\n"
    "  RUN_DIR: nothing to relocate: every path in the log is below /new/dir\n"
    "\n"
    "Exit status: 0 if every run was relocated or needed nothing, 1 if one was refused or failed\n"
    "(the reason on stderr; its log is then unchanged), 2 on a usage error.\n";

}  // namespace

int relocate_command(const Args& args) {
    if (wants_help(args)) {
        std::cout << usage << help;
        return 0;
    }
    Args runs;
    for (const std::string& a : args) {
        if (!a.empty() && a[0] == '-') return usage_error("relocate", "unknown option " + a, usage);
        runs.push_back(a);
    }
    if (runs.empty()) return usage_error("relocate", "no RUN_DIR given", usage);
    int status = 0;
    for (const std::string& run : runs) {
        try {
            print_relocation(run, wandb::relocate_run(run));
        } catch (const std::exception& e) {
            std::cerr << "wandb-imagemask relocate: " << e.what() << "\n";
            status = 1;
        }
    }
    return status;
}

}  // namespace wandb_tool
