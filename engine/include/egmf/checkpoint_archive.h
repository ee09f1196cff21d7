#pragma once
// A native checkpoint as one file: the checkpoint folder's files in a zip archive named *.egmf
// (stored, not compressed: safetensors do not compress and stay fast to unpack). Unpacking goes
// to the user's cache once per archive (keyed by its path, size and time), writes only plain
// file names of the archive's top level (an entry with a folder, "..", or an absolute path is
// refused: no zip-slip), and is atomic (a half-written folder never counts). Torch-free.

#include <filesystem>

#include "egmf/result.h"

namespace egmf {

/// Writes `folder`'s regular files (not sub-folders) into the archive `file`.
Result<void> packCheckpointArchive(const std::filesystem::path& folder, const std::filesystem::path& file);

/// The folder the archive unpacks to (unpacking it the first time). Errors name the archive.
Result<std::filesystem::path> unpackCheckpointArchive(const std::filesystem::path& file, const std::filesystem::path& cacheRoot = {});

}  // namespace egmf
