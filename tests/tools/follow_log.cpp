// The uploader side of the live-sync tests: follows a run's `.wandb` log with
// RunLogReader::follow, as `wandb beta sync --live` reads it, and writes one JSON line per event
// with the CLOCK_MONOTONIC time it happened (comparable with the test's std::chrono::steady_clock):
//   {"event":"start","pid":P,"ppid":Q,"pgid":G,"t":ns}
//   {"event":"record","num":N,"kind":"history","step":S,"t":ns}   (step only for history records)
//   {"event":"end","exit_seen":true,"t":ns}
//   {"event":"sigterm","t":0}                                      (then exit status 143)
// Usage: follow_log RUN_DIR OUT [POLL_MS]. Exit status 0 after the Exit record, 1 on an error.
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include <wandb/json.hpp>
#include <wandb/record_json.hpp>
#include <wandb/run_log.hpp>

namespace {

int out_fd = -1;

long long now_ns() {
    timespec t{};
    ::clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

void emit(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(out_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::_Exit(1);
}

extern "C" void on_sigterm(int) {
    static const char line[] = "{\"event\":\"sigterm\",\"t\":0}\n";
    const ssize_t ignored = ::write(out_fd, line, sizeof line - 1);
    (void)ignored;
    ::_exit(143);
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 3) {
        std::cerr << "usage: follow_log RUN_DIR OUT [POLL_MS]\n";
        return 2;
    }
    out_fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (out_fd < 0) {
        std::cerr << "follow_log: cannot open " << argv[2] << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    struct sigaction sa {};
    sa.sa_handler = on_sigterm;
    ::sigaction(SIGTERM, &sa, nullptr);
    emit("{\"event\":\"start\",\"pid\":" + std::to_string(::getpid()) + ",\"ppid\":" + std::to_string(::getppid()) +
         ",\"pgid\":" + std::to_string(::getpgid(0)) + ",\"t\":" + std::to_string(now_ns()) + "}");

    std::filesystem::path log;
    for (const auto& e : std::filesystem::directory_iterator(argv[1]))
        if (e.path().extension() == ".wandb") log = e.path();
    if (log.empty()) throw std::runtime_error(std::string("no .wandb log in ") + argv[1]);

    wandb::RunLogReader reader(log.string());
    wandb::FollowOptions options;
    options.poll_interval = std::chrono::milliseconds(argc > 3 ? std::atoi(argv[3]) : 5);
    while (const auto record = reader.follow(options)) {
        const wandb::Json r = wandb::decode_record(record->data);
        std::string kind;
        for (auto it = r.begin(); it != r.end(); ++it)
            if (it.key() != "num" && it.key() != "control" && it.key() != "uuid" && it.key() != "_info")
                kind = it.key();
        std::string line =
            "{\"event\":\"record\",\"num\":" + std::to_string(r.value("num", 0)) + ",\"kind\":\"" + kind + "\"";
        if (kind == "history") line += ",\"step\":" + std::to_string(r["history"]["step"].value("num", 0));
        emit(line + ",\"t\":" + std::to_string(now_ns()) + "}");
    }
    emit(std::string("{\"event\":\"end\",\"exit_seen\":") + (reader.exit_seen() ? "true" : "false") +
         ",\"t\":" + std::to_string(now_ns()) + "}");
    std::cout << "follow_log: read the log up to its Exit record\n";
    return reader.exit_seen() ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "follow_log: " << e.what() << "\n";
    return 1;
}
