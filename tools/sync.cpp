// `wandb-imagemask sync [--force] RUN_DIR... [-- ARGS]`: verify, relocate if needed, then
// `wandb sync ARGS RUN_DIR...`, returning its exit status.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <wandb/run_relocate.hpp>
#include <wandb/run_verify.hpp>

#include "commands.hpp"
#include "run_report.hpp"

extern char** environ;

namespace wandb_tool {

namespace {

constexpr const char* usage = "usage: wandb-imagemask sync [--force] RUN_DIR... [-- ARGS]\n";
constexpr const char* help =
    "\n"
    "Uploads offline runs with W&B's own CLI, after making sure they will arrive whole: verifies\n"
    "each run (as `wandb-imagemask verify`), relocates it if its directory was moved or copied (as\n"
    "`wandb-imagemask relocate`), then runs `wandb sync ARGS RUN_DIR...` (the `wandb` found on\n"
    "PATH, without a shell) and returns its exit status. ARGS go to `wandb sync` as they are, e.g.\n"
    "`-- --project segmentation --entity my-team`.\n"
    "\n"
    "  --force  upload runs that have problems too (`wandb sync` skips missing files, and uploads a\n"
    "           truncated or corrupt log up to the problem)\n"
    "\n"
    "Prints what verify and relocate print, then the command it runs, on stderr:\n"
    "  wandb-imagemask sync: running /usr/local/bin/wandb sync RUN_DIR\n"
    "Nothing is uploaded when a run has problems (without --force) or is still being written\n"
    "(`wandb beta sync --live RUN_DIR` uploads a run while it is written).\n"
    "\n"
    "Exit status: that of `wandb sync`; 1 if a run was refused, 127 if `wandb` is not on PATH\n"
    "(install it with `pip install wandb`, then `wandb login`), 2 on a usage error.\n";

/// The first executable regular file named `name` in the directories of $PATH.
std::optional<std::string> find_on_path(const std::string& name) {
    const char* env = std::getenv("PATH");
    const std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (dir.empty()) dir = ".";
        const std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (end == std::string::npos) return std::nullopt;
        start = end + 1;
    }
}

/// `arg` as a shell would need it to read back the same word (for showing the command only).
std::string shell_word(const std::string& arg) {
    if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:@%+,") ==
                            std::string::npos)
        return arg;
    std::string out = "'";
    for (const char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs `argv` (argv[0] a path) with this process's stdin, stdout, stderr and environment, and
/// returns its exit status (128 + the signal if a signal ended it). While it runs, SIGINT and
/// SIGQUIT are left to it, as system(3) does.
int run_and_wait(const std::vector<std::string>& argv) {
    std::vector<char*> c_argv;
    for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
    c_argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    struct sigaction ignore {}, old_int {}, old_quit {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGINT, &ignore, &old_int);
    ::sigaction(SIGQUIT, &ignore, &old_quit);
    pid_t pid = 0;
    const int error = ::posix_spawn(&pid, c_argv[0], nullptr, &attr, c_argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    int status = 0;
    if (error == 0)
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    if (error != 0) {
        std::cerr << "wandb-imagemask sync: cannot run " << argv[0] << ": " << std::strerror(error) << "\n";
        return 127;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 1;
}

/// Verifies `run`, relocating it when only its moved paths are wrong; true if it may be uploaded.
bool prepare(const std::string& run, bool force) {
    wandb::RunReport report = wandb::verify_run(run);
    print_run_report(run, report);
    if (report.being_written) {
        std::cerr << run << ": not synced: the run is still being written; `wandb beta sync --live " << run
                  << "` uploads a run while it is written\n";
        return false;
    }
    if (report.has(wandb::RunProblem::Kind::moved_paths) && !report.synced) {
        print_relocation(run, wandb::relocate_run(run));
        report = wandb::verify_run(run);
        print_run_report(run, report);
    }
    if (!report.ok() && !force) {
        std::cerr << run << ": not synced: fix the problems above, or pass --force to upload the run as it is\n";
        return false;
    }
    return true;
}

}  // namespace

int sync_command(const Args& args) {
    if (wants_help(args)) {
        std::cout << usage << help;
        return 0;
    }
    bool force = false;
    Args runs, wandb_args;
    bool after_dashes = false;
    for (const std::string& a : args) {
        if (after_dashes)
            wandb_args.push_back(a);
        else if (a == "--")
            after_dashes = true;
        else if (a == "--force")
            force = true;
        else if (!a.empty() && a[0] == '-')
            return usage_error("sync", "unknown option " + a + " (options for `wandb sync` go after --)", usage);
        else
            runs.push_back(a);
    }
    if (runs.empty()) return usage_error("sync", "no RUN_DIR given", usage);
    const std::optional<std::string> wandb = find_on_path("wandb");
    if (!wandb) {
        std::cerr << "wandb-imagemask sync: the W&B command-line tool `wandb` is not on PATH; install it with\n"
                     "  pip install wandb\n"
                     "then log in with `wandb login`, or copy the run to a machine that has it\n";
        return 127;
    }
    bool all_ready = true;
    for (const std::string& run : runs) {
        try {
            all_ready = prepare(run, force) && all_ready;
        } catch (const std::exception& e) {
            std::cerr << "wandb-imagemask sync: " << e.what() << "\n";
            all_ready = false;
        }
    }
    if (!all_ready) {
        std::cerr << "wandb-imagemask sync: nothing uploaded\n";
        return 1;
    }
    std::vector<std::string> argv = {*wandb, "sync"};
    argv.insert(argv.end(), wandb_args.begin(), wandb_args.end());
    argv.insert(argv.end(), runs.begin(), runs.end());
    std::string shown;
    for (const std::string& a : argv) shown += (shown.empty() ? "" : " ") + shell_word(a);
    std::cerr << "wandb-imagemask sync: running " << shown << "\n";
    return run_and_wait(argv);
}

}  // namespace wandb_tool
