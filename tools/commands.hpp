// The subcommands of the `wandb-imagemask` tool. Each takes its own arguments (argv after the
// subcommand name), prints errors to stderr naming the run and the problem, and returns the
// process exit code: 0 only on success.
#pragma once

#include <string>
#include <vector>

namespace wandb_tool {

/// The arguments of one subcommand, without the tool and subcommand names.
using Args = std::vector<std::string>;

/// `verify RUN_DIR...`: reads every record and checks every file the log names.
int verify_command(const Args& args);
/// `relocate RUN_DIR`: rewrites the absolute paths of a moved run to its current directory.
int relocate_command(const Args& args);
/// `inspect RUN_DIR`: every record as one JSON line.
int inspect_command(const Args& args);
/// `sync RUN_DIR... [-- ARGS]`: verify, relocate if needed, then `wandb sync`.
int sync_command(const Args& args);
/// `view RUN_DIR [-o FILE] [--max-images N]`: a self-contained HTML report of the run.
int view_command(const Args& args);

/// One subcommand: its name, a one-line summary for the tool's help, and its entry point.
struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Args&);
};

/// Every subcommand, in the order the help lists them.
const std::vector<Command>& commands();

/// True if `args` asks for help (`-h` or `--help` anywhere before a `--`).
bool wants_help(const Args& args);

/// Prints `wandb-imagemask <command>: <problem>` and the command's usage line on stderr; returns 2,
/// the exit status of a usage error.
int usage_error(const char* command, const std::string& problem, const char* usage);

}  // namespace wandb_tool
