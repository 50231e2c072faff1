// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Compact JSON text as the SDK writes `value_json` and its media JSON files: no spaces, keys in
/// insertion order, UTF-8 as is, and non-finite floats as the bare tokens `NaN`, `Infinity` and
/// `-Infinity` (which W&B reads back), where nlohmann::json would write `null` and so hide that a
/// loss diverged.

#include <cmath>
#include <string>

#include "../json.hpp"

WANDB_NAMESPACE_BEGIN
namespace detail {

/// Appends the compact text of `value` to `out`.
inline void append_json_text(std::string& out, const Json& value) {
    switch (value.type()) {
        case Json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (!first) out += ',';
                first = false;
                out += Json(it.key()).dump();
                out += ':';
                append_json_text(out, it.value());
            }
            out += '}';
            return;
        }
        case Json::value_t::array: {
            out += '[';
            bool first = true;
            for (const Json& element : value) {
                if (!first) out += ',';
                first = false;
                append_json_text(out, element);
            }
            out += ']';
            return;
        }
        case Json::value_t::number_float: {
            const double v = value.get<double>();
            if (std::isnan(v)) {
                out += "NaN";
            } else if (std::isinf(v)) {
                out += v > 0 ? "Infinity" : "-Infinity";
            } else {
                out += value.dump();
            }
            return;
        }
        default: out += value.dump(); return;
    }
}

/// The compact text of `value`, non-finite numbers as NaN/Infinity/-Infinity.
inline std::string json_text(const Json& value) {
    std::string out;
    append_json_text(out, value);
    return out;
}

}  // namespace detail
WANDB_NAMESPACE_END
