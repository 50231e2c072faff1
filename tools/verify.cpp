// `wandb-imagemask verify RUN_DIR...`: checks each run before it is copied or synced.
#include <exception>
#include <iostream>
#include <string>

#include <wandb/run_verify.hpp>

#include "commands.hpp"
#include "run_report.hpp"

namespace wandb_tool {

namespace {

constexpr const char* usage = "usage: wandb-imagemask verify RUN_DIR...\n";
constexpr const char* help =
    "\n"
    "Checks each offline run before you copy or sync it: reads every record of its .wandb log\n"
    "(stopping at the first problem, named with its byte offset), checks that every file a Files,\n"
    "History or Artifact record names exists with the size and sha256 or md5 the record gives,\n"
    "and that steps increase. RUN_DIR is a run directory or its .wandb log.\n"
    "\n"
    "Prints one line per run on stdout, e.g.\n"
    "  RUN_DIR: 100 rows, steps 0..99, 15 media files, 1 table, exit code 0: ok\n"
    "(\"not finished\" for a log without an Exit record, \"being written\" while its writer is\n"
    "alive, \", synced\" once `wandb sync` marked it), and each problem on stderr as\n"
    "\"RUN_DIR: problem\".\n"
    "\n"
    "Exit status: 0 if every run is ok, 1 if a run has a problem or cannot be read, 2 on a usage error.\n";

}  // namespace

int verify_command(const Args& args) {
    if (wants_help(args)) {
        std::cout << usage << help;
        return 0;
    }
    Args runs;
    for (const std::string& a : args) {
        if (!a.empty() && a[0] == '-') return usage_error("verify", "unknown option " + a, usage);
        runs.push_back(a);
    }
    if (runs.empty()) return usage_error("verify", "no RUN_DIR given", usage);
    int status = 0;
    for (const std::string& run : runs) {
        try {
            const wandb::RunReport report = wandb::verify_run(run);
            print_run_report(run, report);
            if (!report.ok()) status = 1;
        } catch (const std::exception& e) {
            std::cerr << "wandb-imagemask verify: " << e.what() << "\n";
            status = 1;
        }
    }
    return status;
}

}  // namespace wandb_tool
