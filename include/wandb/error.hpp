// SPDX-License-Identifier: MIT
#pragma once
/// \file
/// Every exception the library throws. Each derives from the standard exception that fits, and
/// each message starts with the name of the thing that rejected the input ("wandb::ImageMask: ",
/// "wandb::OfflineRun: ", ...) and names the offending input: key, shape, value and position, path.

#include <stdexcept>
#include <string>

#include "version.hpp"

WANDB_NAMESPACE_BEGIN

/// Bad input from the caller: a mask value outside 0..255, a label that is not UTF-8, a mask whose
/// size differs from its image, an unreadable mask file given to a constructor, ...
/// Thrown before anything is written.
class ValidationError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// A failure of the file system while writing or reading run files: disk full, permission denied,
/// a vanished directory. The message names the path and the system's error text.
class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A file that does not have the format it should: a corrupt `.wandb` log, a truncated record.
/// The message names the file and the byte offset of the first problem.
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

WANDB_NAMESPACE_END
