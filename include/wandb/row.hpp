// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// What `OfflineRun::log` takes: a row of named values, the C++ `run.log({"loss": 0.5, "img": image})`.

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "histogram.hpp"
#include "image.hpp"
#include "json.hpp"
#include "table.hpp"

WANDB_NAMESPACE_BEGIN

class Value;

/// Named values in the order given; a value may itself be a Row (nested keys, shown in W&B as
/// `val.iou` and grouped): `{{"loss", 0.5}, {"val", wandb::Row{{"iou", 0.7}}}}`.
using Row = std::vector<std::pair<std::string, Value>>;

/// One value of a Row: a number, bool, string or any JSON value; an Image; a list of Images
/// (shown as one media panel, at most 108); a Table; a Histogram; or a nested Row.
class Value {
public:
    /// A number or bool. NaN and infinities are kept (written as NaN / Infinity, as the SDK does).
    template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
    Value(T number) : Value(Json(number)) {}
    /// A string (must be UTF-8).
    Value(const char* text);
    /// \copydoc Value(const char*)
    Value(std::string text);
    /// JSON null.
    Value(std::nullptr_t);
    /// Any JSON value (object, array, ...), kept in its key order.
    Value(Json json);
    /// \copydoc Value(Json)
    Value(const nlohmann::json& json);
    /// An image with its masks and boxes.
    Value(Image image);
    /// Images shown together under one key.
    Value(std::vector<Image> images);
    /// A table (logged as the SDK logs one: a run_table artifact plus a run-side file). The table
    /// is copied once here (its images share their pixels), so the caller may keep changing its own.
    Value(Table table);
    /// A histogram (`{"_type": "histogram", "values": [...], "bins": [...]}`). A list of histograms
    /// is a JSON array of them: `Json::array({h1, h2})`, as the SDK logs a list of them.
    Value(Histogram histogram);
    /// Nested values.
    Value(Row row);

    /// Values copy and move as what they hold (a Table is shared, the pixels of images too).
    Value(const Value& other);
    /// \copydoc Value(const Value&)
    Value(Value&& other) noexcept;
    /// \copydoc Value(const Value&)
    Value& operator=(const Value& other);
    /// \copydoc Value(const Value&)
    Value& operator=(Value&& other) noexcept;
    ~Value();

    /// What a value holds, for std::visit: every consumer handles every alternative.
    using Variant = std::variant<Json, Image, std::vector<Image>, std::shared_ptr<const Table>, Histogram, Row>;

    /// The held alternative, for visitors.
    const Variant& get() const noexcept { return value_; }

private:
    Variant value_;
};

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "row-inl.hpp"
#endif
