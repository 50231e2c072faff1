// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// The definitions of record_json.hpp: the record schema of detail/records.hpp read by
/// detail/proto_json.hpp.

#include "record_json.hpp"

#include <string>
#include <string_view>

#include "detail/proto_json.hpp"
#include "detail/protobuf.hpp"
#include "detail/records.hpp"

WANDB_NAMESPACE_BEGIN

WANDB_IMAGEMASK_INLINE Json decode_record(const std::uint8_t* data, std::size_t size) {
    try {
        return detail::proto::decode_json(detail::schema::record,
                                          std::string_view(reinterpret_cast<const char*>(data), size), 0);
    } catch (const detail::ProtoError& e) {
        throw FormatError("wandb::decode_record: " + std::string(e.what()) + " at byte " +
                          std::to_string(e.offset()) + " of the record");
    }
}

WANDB_IMAGEMASK_INLINE Json decode_record(const std::vector<std::uint8_t>& record) {
    return decode_record(record.data(), record.size());
}

WANDB_NAMESPACE_END
