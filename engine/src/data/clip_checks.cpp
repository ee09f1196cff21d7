#include "egmf/app/clip_checks.h"

#include <cstdio>

#include "egmf/app/media_file.h"

namespace egmf::data {

void checkClips(Dataset& dataset, const ClipCheckOptions& options) {
    int total = 0, done = 0;
    for (const auto& dialogue : dataset.dialogues) {
        for (const auto& utterance : dialogue.utterances) total += !utterance.clipPath.empty();
    }
    for (auto& dialogue : dataset.dialogues) {
        for (auto& utterance : dialogue.utterances) {
            if (utterance.clipPath.empty()) continue;
            auto info = media::probeClip(utterance.clipPath);
            if (!info.ok()) {
                dataset.problems.push_back({DatasetProblem::Kind::UndecodableClip, utterance.clipPath,
                                            info.error().message + "; " + utterance.id + " is analysed as text only"});
                utterance.clipPath.clear();
            } else {
                utterance.durationSec = info->durationSec;
                if (info->durationSec > options.maxSeconds) {
                    char message[160];
                    std::snprintf(message, sizeof message,
                                  "%.1f s, longer than the %.0f s limit (a wrongly cut clip?); "
                                  "only its first %.0f s are analysed",
                                  info->durationSec, options.maxSeconds, options.maxSeconds);
                    dataset.problems.push_back({DatasetProblem::Kind::LongClip, utterance.clipPath, message});
                }
            }
            if (options.progress) options.progress(++done, total);
        }
    }
}

}  // namespace egmf::data
