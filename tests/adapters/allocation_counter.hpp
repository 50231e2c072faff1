// Counts the large heap allocations made through operator new while a CountLargeAllocations is
// alive (allocation_counter.cpp replaces the global operator new of the adapter test binaries):
// how the tests prove that a mask or image is encoded from its source's memory, with no
// intermediate buffer the size of the pixels. Under AddressSanitizer, which owns operator new,
// nothing is replaced and available() is false: the tests then say so and skip the counts.
#pragma once

#include <cstddef>

namespace wandb_test {

/// While alive, counts every operator new of at least `threshold` bytes, on any thread.
class CountLargeAllocations {
public:
    explicit CountLargeAllocations(std::size_t threshold);
    ~CountLargeAllocations();
    CountLargeAllocations(const CountLargeAllocations&) = delete;
    CountLargeAllocations& operator=(const CountLargeAllocations&) = delete;
    /// Allocations of at least the threshold so far.
    std::size_t count() const;
    /// The largest allocation seen (of any size), in bytes.
    std::size_t largest() const;
    /// False where operator new is not replaced (sanitizer builds): counts stay 0.
    static bool available();
};

}  // namespace wandb_test
