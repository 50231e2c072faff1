// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The iteration order of a CPython `set` of ints. W&B's column types store class ids as sets and
/// write them to JSON with `list(the_set)`, so the order of ids in `mask_layers`/`box_layers` is
/// CPython's slot order, not sorted: `{1, 8}` iterates as `[8, 1]` (8 lands in slot 0 of an
/// 8-slot table). This replays CPython 3.8-3.13's `Objects/setobject.c` for int keys: hash(n) = n
/// (hash(-1) = -2), slot `hash & mask`, 9 linear probes, then perturbed jumps
/// `i = (i * 5 + 1 + (perturb >>= 5)) & mask`; a table grows to used*4 slots (the next power of two
/// above it) when fill*5 >= mask*3; `set(a_set)` pre-sizes to used*2 and copies slot for slot when
/// the sizes match, else re-inserts in slot order.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "../version.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// A CPython set of ints, reproducing its slot layout (so its iteration order).
class PyIntSet {
public:
    PyIntSet() : slots_(min_size) {}

    /// `set(iterable)` for a non-set iterable (a list, dict keys): adds the ids in order.
    template <class Ids>
    static PyIntSet from_sequence(const Ids& ids) {
        PyIntSet s;
        for (auto id : ids) s.add(static_cast<std::int64_t>(id));
        return s;
    }

    /// `set(other)` where other is a set (set_merge into an empty set).
    static PyIntSet copy_of(const PyIntSet& other) {
        PyIntSet s;
        if (other.used_ == 0) return s;
        if ((s.fill_ + other.used_) * 5 >= s.mask() * 3) s.resize((s.used_ + other.used_) * 2);
        if (s.mask() == other.mask()) {
            s.slots_ = other.slots_;
        } else {
            for (const Slot& slot : other.slots_)
                if (slot.used) insert_clean(s.slots_, slot.key);
        }
        s.fill_ = s.used_ = other.used_;
        return s;
    }

    /// `s.add(key)`.
    void add(std::int64_t key) {
        const std::uint64_t hash = hash_of(key);
        const std::size_t mask = this->mask();
        std::size_t i = static_cast<std::size_t>(hash) & mask;
        std::uint64_t perturb = hash;
        while (true) {
            const std::size_t probes = i + linear_probes <= mask ? linear_probes : 0;
            for (std::size_t j = 0; j <= probes; ++j) {
                Slot& slot = slots_[i + j];
                if (!slot.used) {
                    slot = {true, key};
                    ++fill_;
                    ++used_;
                    if (fill_ * 5 >= mask * 3) resize(used_ > 50000 ? used_ * 2 : used_ * 4);
                    return;
                }
                if (slot.key == key) return;
            }
            perturb >>= perturb_shift;
            i = static_cast<std::size_t>(i * 5 + 1 + perturb) & mask;
        }
    }

    /// The ids in iteration order (`list(s)`).
    std::vector<std::int64_t> items() const {
        std::vector<std::int64_t> out;
        out.reserve(used_);
        for (const Slot& slot : slots_)
            if (slot.used) out.push_back(slot.key);
        return out;
    }

    /// Number of ids.
    std::size_t size() const noexcept { return used_; }

private:
    struct Slot {
        bool used = false;
        std::int64_t key = 0;
    };
    static constexpr std::size_t min_size = 8, linear_probes = 9, perturb_shift = 5;

    static std::uint64_t hash_of(std::int64_t key) noexcept {
        return static_cast<std::uint64_t>(key == -1 ? -2 : key);  // ids are far below 2**61 - 1
    }
    std::size_t mask() const noexcept { return slots_.size() - 1; }

    static void insert_clean(std::vector<Slot>& table, std::int64_t key) {
        const std::size_t mask = table.size() - 1;
        const std::uint64_t hash = hash_of(key);
        std::size_t i = static_cast<std::size_t>(hash) & mask;
        std::uint64_t perturb = hash;
        while (true) {
            const std::size_t probes = i + linear_probes <= mask ? linear_probes : 0;
            for (std::size_t j = 0; j <= probes; ++j) {
                if (!table[i + j].used) {
                    table[i + j] = {true, key};
                    return;
                }
            }
            perturb >>= perturb_shift;
            i = static_cast<std::size_t>(i * 5 + 1 + perturb) & mask;
        }
    }

    void resize(std::size_t min_used) {
        std::size_t new_size = min_size;
        while (new_size <= min_used) new_size <<= 1;
        std::vector<Slot> table(new_size);
        for (const Slot& slot : slots_)
            if (slot.used) insert_clean(table, slot.key);
        slots_ = std::move(table);
        fill_ = used_;
    }

    std::vector<Slot> slots_;
    std::size_t fill_ = 0, used_ = 0;
};

}  // namespace detail
WANDB_NAMESPACE_END
