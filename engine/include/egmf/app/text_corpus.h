#pragma once
// A small text-only corpus in the MELD layout (CSVs, no clips) for training where clips do not
// matter: the trainer's tests and benchmarks, runs on machines without FFmpeg. Seven lines, one
// per MELD emotion, in a fixed rotation; seconds an epoch on two cores.

#include <filesystem>

#include "egmf/result.h"

namespace egmf::demo {

/// train/dev/test_sent_emo.csv under `folder` (`trainDialogues` training dialogues and
/// `otherDialogues` each for dev and test, 5 utterances each) and config.json beside them (4
/// dialogues a step, a 300-piece vocabulary).
Result<void> writeTextCorpus(const std::filesystem::path& folder, int trainDialogues = 16, int otherDialogues = 3);

}  // namespace egmf::demo
