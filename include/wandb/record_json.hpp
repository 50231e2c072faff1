// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// `wandb::decode_record`: one `.wandb` record (a protobuf `wandb_internal.Record`, as
/// RunLogReader returns it) as JSON, by the record schema the writer uses (detail/records.hpp).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "error.hpp"
#include "json.hpp"
#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// Decodes the bytes of one `.wandb` record (a protobuf `Record`) to JSON keyed by the proto field
/// names, fields in wire order, for the records the library writes: num, header, run, environment,
/// config, summary, history, files, exit, final, artifact, and those it reads: stats, metric
/// (also control, uuid, _info). Fields absent on the wire are absent in the JSON (proto3
/// defaults); integers are JSON numbers (uint32/uint64 fields unsigned); enums are names
/// ("END"); repeated fields are arrays, e.g.
/// `{"num":3,"history":{"item":[{"nested_key":["loss"],"value_json":"0.5"}],"step":{"num":2}}}`
/// (a step 0 is `"step":{}`: the message is present, its zero field is not).
/// Fields the schema does not know (other record types such as telemetry, and unmodelled fields)
/// are kept under their field number: VARINT/I64/I32 as unsigned numbers, LEN as lower-case hex,
/// repeats as an array.
/// \throws wandb::FormatError  on malformed protobuf, a known field with the wrong wire type, or a
///   string that is not UTF-8, e.g. "wandb::decode_record: truncated varint at byte 3 of the record".
Json decode_record(const std::uint8_t* data, std::size_t size);

/// Decodes one record's bytes; see decode_record(const std::uint8_t*, std::size_t).
/// \throws wandb::FormatError  on malformed input.
Json decode_record(const std::vector<std::uint8_t>& record);

WANDB_NAMESPACE_END

#if WANDB_IMAGEMASK_DEFINITIONS
#include "record_json-inl.hpp"
#endif
