#pragma once
// FFmpeg's own log messages. By default none reach stderr: each warning is kept with the clip it
// is about and reported among that clip's warnings; the few that concern no clip are kept here.

#include <cstddef>
#include <string>
#include <vector>

namespace egmf {

/// true: FFmpeg's lines are also printed to stderr, as FFmpeg prints them (`egmf --verbose`).
void setMediaLogVerbose(bool verbose);

/// The last FFmpeg warnings that concerned no clip, oldest first (at most 32); `total` gets how
/// many there were since the process started.
std::vector<std::string> unattributedMediaMessages(std::size_t* total = nullptr);

}  // namespace egmf
