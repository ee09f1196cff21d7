// The order shared work is handed out in (egmf/app/shared_work.h).
#include <algorithm>
#include <filesystem>

#include "egmf/app/shared_work.h"

namespace egmf::cluster {
namespace {

/// The utterance's length as the dataset gives it; 0 when it does not.
double datasetSeconds(const Utterance& u) {
    if (u.durationSec > 0) return u.durationSec;
    if (u.sourceEndSec > u.sourceStartSec) return u.sourceEndSec - u.sourceStartSec;
    if (u.clipEndSec > u.clipStartSec) return u.clipEndSec - u.clipStartSec;
    return 0;
}

}  // namespace

std::vector<const Dialogue*> longestFirst(std::vector<const Dialogue*> dialogues) {
    bool everyClipTimed = true, anyClip = false;
    for (const auto* d : dialogues) {
        for (const auto& u : d->utterances) {
            anyClip = anyClip || !u.clipPath.empty();
            if (!u.clipPath.empty() && datasetSeconds(u) <= 0) everyClipTimed = false;
        }
    }
    std::vector<std::pair<double, const Dialogue*>> costed;
    for (const auto* d : dialogues) {
        double cost = 0;
        for (const auto& u : d->utterances) {
            if (anyClip && everyClipTimed) {
                cost += datasetSeconds(u);
            } else if (anyClip) {
                std::error_code ec;
                const auto size = u.clipPath.empty() ? 0 : std::filesystem::file_size(u.clipPath, ec);
                cost += ec ? 0 : static_cast<double>(size);
            } else {
                cost += static_cast<double>(u.text.size());
            }
        }
        costed.emplace_back(cost, d);
    }
    std::stable_sort(costed.begin(), costed.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const Dialogue*> ordered;
    for (const auto& [cost, d] : costed) ordered.push_back(d);
    return ordered;
}

}  // namespace egmf::cluster
