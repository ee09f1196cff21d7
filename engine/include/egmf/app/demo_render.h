#pragma once
// Rendering the demo script into a dataset in the MELD layout (`egmf make-demo`): per split a
// MELD-named CSV (MELD's columns plus SentimentScore and Congruence) and a folder of
// dia{D}_utt{U}.mp4, each clip speech from espeak-ng (the utterance's pitch, pace and loudness)
// over frames drawn with OpenCV (demo_face.h) at 25 fps, muxed by the ffmpeg CLI (H.264 + AAC);
// and demo.json recording the seed and the counts. Clips are rendered on worker threads, each
// clip's content fixed by the script, so the corpus is the same for a seed whatever the workers.

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "demo_script.h"
#include "egmf/result.h"

namespace egmf::demo {

struct RenderOptions {
    int width = 320, height = 240;
    int workers = 2;
    std::string onlySplit;  ///< render just this split (the test-split check regenerates only it)
    int dialogues = 0;      ///< at most the first this many dialogues of each split (0: all)
    std::function<void(int done, int total)> progress;
};

struct SplitCounts {
    int dialogues = 0, utterances = 0, incongruent = 0;
};

struct RenderReport {
    std::map<std::string, SplitCounts> splits;
    double seconds = 0;       ///< wall time
    double audioSeconds = 0;  ///< length of all clips together
};

Result<RenderReport> renderCorpus(const DemoScript& script, const std::filesystem::path& out, const RenderOptions& options);

/// MELD's clip folder for a split: train_splits, dev_splits_complete, output_repeated_splits_test.
const char* clipFolderName(const std::string& split);

}  // namespace egmf::demo
