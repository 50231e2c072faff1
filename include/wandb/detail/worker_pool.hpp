// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// A small fixed pool of threads for encoding the media of a `log` call in parallel. The caller
/// of `run` works on its own batch too, so a batch never waits for an idle pool, and several
/// threads may submit batches at once. Results stay deterministic: each task writes its own slot.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

class WorkerPool {
public:
    /// \param threads  total threads working on a batch, the caller included; 0 = hardware threads.
    /// A thread that cannot be started (the process or user hit its thread limit, RLIMIT_NPROC,
    /// or memory for its stack ran out) is not an error: the pool keeps the threads it has, down
    /// to none, when the calling thread does all the work. size() tells how many there are.
    explicit WorkerPool(std::size_t threads = 0) {
        if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
        for (std::size_t i = 1; i < threads; ++i) {
            try {
                workers_.emplace_back([this] { work(); });
            } catch (const std::system_error&) {  // EAGAIN from pthread_create
                break;
            } catch (const std::bad_alloc&) {
                break;
            }
        }
    }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (std::thread& t : workers_) t.join();
    }

    /// Threads that work on a batch, the caller included.
    std::size_t size() const noexcept { return workers_.size() + 1; }

    /// Runs every task and returns when all are done; rethrows the first exception a task threw
    /// (the other tasks still run to completion, so nothing is left half-done behind the caller).
    void run(std::vector<std::function<void()>>& tasks) {
        if (tasks.empty()) return;
        auto batch = std::make_shared<Batch>();
        batch->pending = tasks.size();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto& task : tasks) queue_.push_back({batch, &task});
        }
        wake_.notify_all();
        // The caller takes tasks of its own batch until none is left to start, then waits.
        while (true) {
            Item item;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                auto it = std::find_if(queue_.begin(), queue_.end(), [&](const Item& i) { return i.batch == batch; });
                if (it == queue_.end()) break;
                item = *it;
                queue_.erase(it);
            }
            execute(item);
        }
        std::unique_lock<std::mutex> lock(batch->mutex);
        batch->done.wait(lock, [&] { return batch->pending == 0; });
        if (batch->error) std::rethrow_exception(batch->error);
    }

private:
    struct Batch {
        std::mutex mutex;
        std::condition_variable done;
        std::size_t pending = 0;
        std::exception_ptr error;
    };
    struct Item {
        std::shared_ptr<Batch> batch;
        std::function<void()>* task = nullptr;
    };

    static void execute(const Item& item) {
        std::exception_ptr error;
        try {
            (*item.task)();
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard<std::mutex> lock(item.batch->mutex);
        if (error && !item.batch->error) item.batch->error = error;
        if (--item.batch->pending == 0) item.batch->done.notify_all();
    }

    void work() {
        while (true) {
            Item item;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;  // stopping, nothing left
                item = queue_.front();
                queue_.pop_front();
            }
            execute(item);
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace detail
WANDB_NAMESPACE_END
