// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The live-sync companion of a run: `wandb beta sync --live <run dir>` as a child process, which
/// uploads the run while it is written (wandb/cli/beta.py; core/internal/runsync/runreader.go).
/// That reader retries the end of the log and a truncated tail every second until it has read the
/// Exit record; a log that never gets one is waited for for ever ("This may hang if the process
/// generating the run crashes uncleanly", says its --help). So the child must learn when the run
/// dies:
///
/// - It is started by a thread of its own, which lives until the child has ended, and it asks the
///   kernel for SIGTERM when that thread ends (PR_SET_PDEATHSIG, which wandb-core itself sets on
///   its service process): when the training process dies, even by SIGKILL, the child gets
///   SIGTERM. Its own wandb-core service then ends too (it exits when its parent, the CLI, is gone).
///   The run stays "running" on W&B until the server marks it crashed; `wandb sync <dir>` later
///   uploads what is missing and marks it failed (no Exit record: exit code 1).
/// - posix_spawn cannot set PR_SET_PDEATHSIG in the child, so the child is made with fork() and
///   execve(): between them it makes only async-signal-safe calls (the parent has other threads),
///   and the program is looked up in PATH beforehand, as posix_spawnp would.
/// - It runs in a process group of its own, so a Ctrl-C meant for the training process does not
///   kill the upload before `finish` has written the Exit record; its stdin is /dev/null, its
///   stdout and stderr go to `<run dir>/logs/live-sync.log`, every other descriptor is closed.
/// - `finish` waits for it (bounded), then stops it with SIGTERM and, after a grace period, SIGKILL.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "../version.hpp"
#include "system_metrics.hpp"

extern char** environ;

WANDB_NAMESPACE_BEGIN
namespace detail {

/// The environment variable that turns live sync on when the option is left unset.
inline constexpr const char* live_sync_env = "WANDB_IMAGEMASK_LIVE_SYNC";

/// Whether live sync is on: `option` if set, else $WANDB_IMAGEMASK_LIVE_SYNC (1, true, yes, on /
/// 0, false, no, off, empty; any case). Another value is one warning and off.
inline bool live_sync_wanted(std::optional<bool> option, const Warn& warn) {
    if (option) return *option;
    const char* env = std::getenv(live_sync_env);
    if (!env) return false;
    std::string v;
    for (const char* c = env; *c; ++c) v += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v.empty() || v == "0" || v == "false" || v == "no" || v == "off") return false;
    if (warn)
        warn(std::string(live_sync_env) + "=\"" + env +
             "\" is not one of 1, true, yes, on, 0, false, no, off; live sync stays off");
    return false;
}

/// The file `name` names as execvp would run it: a name with a '/' as is, else the first
/// executable regular file of that name in $PATH (an unset PATH searches /bin and /usr/bin).
/// \throws wandb::IoError  "\"wandb\" is not on PATH (<PATH>)" or "<path> is not an executable file".
inline std::string find_executable(const std::string& name) {
    auto executable = [](const std::string& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
    };
    if (name.find('/') != std::string::npos) {
        if (!executable(name)) throw IoError(name + " is not an executable file");
        return name;
    }
    const char* env = std::getenv("PATH");
    const std::string path = env ? env : "/bin:/usr/bin";
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (dir.empty()) dir = ".";  // an empty PATH entry is the current directory
        const std::string candidate = dir + "/" + name;
        if (executable(candidate)) return candidate;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    throw IoError("\"" + name + "\" is not on PATH (" + path + ")");
}

/// How a child process ended, in words: "exit status 3", "signal 15 (SIGTERM)".
inline std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int s = WTERMSIG(status);
        static const std::pair<int, const char*> names[] = {
            {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
            {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},   {SIGKILL, "SIGKILL"},
            {SIGSEGV, "SIGSEGV"}, {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}};
        for (const auto& [number, name] : names)
            if (number == s) return "signal " + std::to_string(s) + " (" + name + ")";
        return "signal " + std::to_string(s);
    }
    return "status " + std::to_string(status);
}

/// What to run and where its output goes.
struct LiveSyncSettings {
    std::string executable = "wandb";            ///< the W&B CLI: a name looked up in PATH, or a path
    std::filesystem::path run_dir;               ///< the run directory to upload
    std::filesystem::path output;                ///< receives the child's stdout and stderr (appended)
    std::string label = "live sync";             ///< names the child in messages, e.g. "live sync of run abc"
    std::string fallback;                        ///< what to run instead, e.g. "wandb sync <dir>"
    std::chrono::milliseconds kill_grace{5000};  ///< after SIGTERM, how long until SIGKILL
};

/// One `wandb beta sync --live <run dir>` child and the thread that started it and reaps it.
class LiveSync {
public:
    /// Starts the child. `warn` receives one line if the child ends before finish() (called from
    /// the waiting thread), `info` the line finish() reports.
    /// \throws wandb::IoError  if it cannot start, naming why: the program is not on PATH or not
    ///         executable, the output file cannot be created, no thread or process can be made, or
    ///         execve fails; nothing is left running then.
    LiveSync(LiveSyncSettings settings, Warn warn, Warn info)
        : state_(std::make_shared<State>()), settings_(std::move(settings)) {
        state_->warn = std::move(warn);
        state_->label = settings_.label;
        state_->fallback = settings_.fallback;
        state_->output = settings_.output.string();
        Plan plan = prepare();
        info_ = std::move(info);
        auto state = state_;
        try {
            thread_ = std::thread([state, plan = std::move(plan)]() mutable { run(*state, plan); });
        } catch (const std::exception& e) {
            close_plan(plan);
            throw IoError("cannot create the thread that starts it: " + std::string(e.what()));
        }
        std::unique_lock<std::mutex> lock(state_->mutex);
        state_->changed.wait(lock, [&] { return state_->phase != Phase::starting; });
        if (state_->phase == Phase::failed) {
            const std::string error = state_->error;
            lock.unlock();
            thread_.join();
            throw IoError(error);
        }
    }

    LiveSync(const LiveSync&) = delete;
    LiveSync& operator=(const LiveSync&) = delete;
    /// finish(0) if finish was not called: a child still running is stopped at once.
    ~LiveSync() { finish(std::chrono::milliseconds(0)); }

    /// The child's process id.
    pid_t pid() const noexcept { return state_->pid; }

    /// From now on the child's end is expected (the run is writing its Exit record): it is
    /// reported by finish(), not as an early end. Never throws.
    void expect_end() noexcept {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->finishing = true;
    }

    /// Waits up to `timeout` for the child to end by itself (after the run's Exit record it
    /// uploads what is left and exits), then stops it: SIGTERM, then SIGKILL after the grace.
    /// Reports one line: through `info` when it ended by itself with exit status 0 ("<label>
    /// ended: exit status 0 (output: <file>)"), through `warn` when it ended otherwise or had to be
    /// stopped; nothing if it had ended before (its warning was given then). Idempotent; never throws.
    void finish(std::chrono::milliseconds timeout) noexcept {
        if (!thread_.joinable()) return;
        std::string line;
        bool stopped = false;
        bool failed = false;
        {
            std::unique_lock<std::mutex> lock(state_->mutex);
            const bool reported = state_->reported;  // an early end was warned about then
            state_->finishing = true;
            auto ended = [&] { return state_->phase == Phase::ended; };
            if (!state_->changed.wait_for(lock, timeout, ended)) {
                stopped = true;
                ::kill(state_->pid, SIGTERM);  // not reaped yet (see run()): the pid is still the child's
                const char* how = "SIGTERM";
                if (!state_->changed.wait_for(lock, settings_.kill_grace, ended)) {
                    ::kill(state_->pid, SIGKILL);
                    how = "SIGTERM, then SIGKILL";
                    state_->changed.wait_for(lock, settings_.kill_grace, ended);
                }
                line = settings_.label + " had not ended " + std::to_string(timeout.count()) +
                       " ms after the run finished; stopped it with " + how +
                       (settings_.fallback.empty() ? "" : "; upload the rest with: " + settings_.fallback);
            } else if (!reported) {
                failed = state_->how != "exit status 0";
                line = settings_.label + " ended: " + state_->how + " (output: " + settings_.output.string() + ")";
            }
        }
        std::unique_lock<std::mutex> lock(state_->mutex);
        const bool ended = state_->phase == Phase::ended;
        lock.unlock();
        if (ended)
            thread_.join();
        else
            thread_.detach();  // a child that survives SIGKILL (uninterruptible I/O): its thread keeps waiting
        try {
            if (!line.empty()) {
                if ((stopped || failed) && state_->warn) state_->warn(line);
                if (!stopped && !failed && info_) info_(line);
            }
        } catch (...) {
        }
    }

private:
    enum class Phase { starting, failed, running, ended };

    /// What the starting thread and the finishing caller share.
    struct State {
        std::mutex mutex;
        std::condition_variable changed;
        Phase phase = Phase::starting;
        bool finishing = false;
        bool reported = false;  // its end was reported as early, by the waiting thread
        pid_t pid = -1;
        std::string error;  // why it failed to start
        std::string how;    // how it ended
        Warn warn;
        std::string label, fallback, output;
    };

    /// Everything the child needs, prepared before fork (the child may not allocate).
    struct Plan {
        std::string path;
        std::vector<std::string> args;
        int out_fd = -1, null_fd = -1;
    };

    Plan prepare() const {
        Plan plan;
        plan.path = find_executable(settings_.executable);
        plan.args = {plan.path, "beta", "sync", "--live", settings_.run_dir.string()};
        std::error_code ec;
        std::filesystem::create_directories(settings_.output.parent_path(), ec);
        if (ec) throw IoError("cannot create " + settings_.output.parent_path().string() + ": " + ec.message());
        // Descriptors above stdio and 3 (see child()), so that the child's dup2 calls cannot clobber them.
        plan.out_fd = high_fd(::open(settings_.output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666));
        if (plan.out_fd < 0) throw IoError("cannot open " + settings_.output.string() + ": " + std::strerror(errno));
        plan.null_fd = high_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (plan.null_fd < 0) {
            const int e = errno;
            ::close(plan.out_fd);
            throw IoError(std::string("cannot open /dev/null: ") + std::strerror(e));
        }
        return plan;
    }

    /// `fd` moved to a number of 10 or more (close-on-exec); -1 stays -1.
    static int high_fd(int fd) {
        if (fd < 0 || fd >= 10) return fd;
        const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
        const int e = errno;
        ::close(fd);
        errno = e;
        return moved;
    }

    static void close_plan(Plan& plan) {
        if (plan.out_fd >= 0) ::close(plan.out_fd);
        if (plan.null_fd >= 0) ::close(plan.null_fd);
        plan.out_fd = plan.null_fd = -1;
    }

    /// The child's side of fork(): async-signal-safe calls only, then execve. Reports an execve
    /// failure's errno through `report` (descriptor 3); never returns.
    [[noreturn]] static void child(const char* path, char* const* argv, char* const* envp, int out_fd, int null_fd,
                                   int report_fd, pid_t parent) noexcept {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);       // sent when the thread that forked us ends
        if (::getppid() != parent) ::_exit(125);  // the run died before prctl took effect
        ::setpgid(0, 0);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (const int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE}) ::sigaction(s, &dfl, nullptr);
        if (::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0 || ::dup2(report_fd, 3) < 0)
            report_and_exit(report_fd);
        ::fcntl(3, F_SETFD, FD_CLOEXEC);
#ifdef SYS_close_range
        ::syscall(SYS_close_range, 4u, ~0u, 0u);  // Linux 5.9+; older kernels keep the (close-on-exec) rest
#endif
        ::execve(path, argv, envp);
        report_and_exit(3);
    }

    [[noreturn]] static void report_and_exit(int fd) noexcept {
        const int e = errno;
        const ssize_t ignored = ::write(fd, &e, sizeof e);
        (void)ignored;
        ::_exit(127);
    }

    /// The thread: forks the child (so that it is the thread PR_SET_PDEATHSIG watches), reports
    /// the start, then waits for the child and reaps it.
    static void run(State& state, Plan& plan) noexcept {
        std::vector<char*> argv;
        for (std::string& a : plan.args) argv.push_back(a.data());
        argv.push_back(nullptr);
        int report[2] = {-1, -1};
        std::string error;
        pid_t pid = -1;
        if (::pipe2(report, O_CLOEXEC) != 0) {
            error = std::string("cannot create a pipe: ") + std::strerror(errno);
        } else {
            report[0] = high_fd(report[0]);
            report[1] = high_fd(report[1]);
            const pid_t parent = ::getpid();
            pid = ::fork();
            if (pid == 0) child(plan.path.c_str(), argv.data(), environ, plan.out_fd, plan.null_fd, report[1], parent);
            if (pid < 0) error = std::string("cannot fork: ") + std::strerror(errno);
            ::close(report[1]);
            if (pid > 0) {
                int child_errno = 0;
                ssize_t n;
                while ((n = ::read(report[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
                }
                if (n == static_cast<ssize_t>(sizeof child_errno)) {  // execve failed
                    error = "cannot execute " + plan.path + ": " + std::strerror(child_errno);
                    int status = 0;
                    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
                    }
                    pid = -1;
                }
            }
            ::close(report[0]);
        }
        close_plan(plan);
        {
            std::lock_guard<std::mutex> lock(state.mutex);
            if (pid < 0) {
                state.phase = Phase::failed;
                state.error = error;
            } else {
                state.phase = Phase::running;
                state.pid = pid;
            }
        }
        state.changed.notify_all();
        if (pid < 0) return;

        // Wait without reaping: until the child is marked ended under the lock, its pid cannot be
        // reused, so finish() may signal it safely.
        siginfo_t info{};
        int waited;
        while ((waited = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT)) != 0 && errno == EINTR) {
        }
        std::string how = "its exit status was collected elsewhere (SIGCHLD ignored?)";
        bool early = false;
        {
            std::lock_guard<std::mutex> lock(state.mutex);
            int status = 0;
            pid_t r;
            while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
            }
            if (waited == 0 && r == pid) how = describe_wait_status(status);
            state.how = how;
            state.phase = Phase::ended;
            early = !state.finishing;
            state.reported = early;
        }
        state.changed.notify_all();
        if (early && state.warn) {
            try {
                state.warn(state.label + " ended while the run was still being written (" + how + "); see " +
                           state.output + (state.fallback.empty() ? "" : "; upload the run with: " + state.fallback));
            } catch (...) {
            }
        }
    }

    std::shared_ptr<State> state_;
    LiveSyncSettings settings_;
    Warn info_;
    std::thread thread_;
};

}  // namespace detail
WANDB_NAMESPACE_END
