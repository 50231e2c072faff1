// The global operator new of the adapter test binaries, counting large allocations on request.
#include "allocation_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> threshold{0}, large_count{0}, largest_seen{0};
}  // namespace

namespace wandb_test {

CountLargeAllocations::CountLargeAllocations(std::size_t bytes) {
    threshold = bytes;
    large_count = 0;
    largest_seen = 0;
    counting = true;
}
CountLargeAllocations::~CountLargeAllocations() { counting = false; }
std::size_t CountLargeAllocations::count() const { return large_count; }
std::size_t CountLargeAllocations::largest() const { return largest_seen; }

}  // namespace wandb_test

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WANDB_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WANDB_TEST_ASAN 1
#endif

#if defined(WANDB_TEST_ASAN)
bool wandb_test::CountLargeAllocations::available() { return false; }
#else
bool wandb_test::CountLargeAllocations::available() { return true; }

void* operator new(std::size_t size) {
    if (counting.load(std::memory_order_relaxed)) {
        if (size >= threshold) ++large_count;
        std::size_t seen = largest_seen;
        while (size > seen && !largest_seen.compare_exchange_weak(seen, size)) {
        }
    }
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif
