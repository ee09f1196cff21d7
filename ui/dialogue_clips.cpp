#include "dialogue_clips.h"

#include <algorithm>

#include "egmf/playback.h"

namespace egmf::ui {
namespace {

constexpr double kTextOnlySeconds = 2.0;  // how long an utterance without a playable clip is shown

}  // namespace

DialogueClips::DialogueClips(std::vector<PlayerClip> clips) : m_clips(std::move(clips)) {
    m_starts.reserve(m_clips.size() + 1);
    for (const auto& clip : m_clips) m_starts.push_back(m_starts.back() + clip.durationSec);
}

DialogueClips DialogueClips::probe(std::vector<PlayerClip> clips) {
    for (auto& clip : clips) {
        if (clip.path.isEmpty()) {
            clip.error = QStringLiteral("no clip");
        } else if (auto info = probeClipInfo(clip.path.toStdString())) {
            const double end = clip.endSec > 0 ? clip.endSec : info->durationSec;
            if (end > clip.startSec) clip.durationSec = end - clip.startSec;
            if (info->framesPerSecond > 0) clip.framesPerSecond = info->framesPerSecond;
            clip.hasVideo = info->hasVideo;
            if (!info->hasVideo && !info->hasAudio) clip.error = QStringLiteral("no audio or video stream");
        } else {
            clip.error = QString::fromStdString(info.error().message);
        }
        if (clip.durationSec <= 0) clip.durationSec = kTextOnlySeconds;
    }
    return DialogueClips(std::move(clips));
}

double DialogueClips::start(int utterance) const {
    return m_starts[static_cast<std::size_t>(std::clamp(utterance, 0, static_cast<int>(m_clips.size())))];
}

ClipPosition DialogueClips::locate(double dialogueSeconds) const {
    if (m_clips.empty()) return {};
    // The first clip that ends after the time; the last one when none does.
    const auto end = std::upper_bound(m_starts.begin() + 1, m_starts.end() - 1, dialogueSeconds);
    const int utterance = static_cast<int>(end - m_starts.begin()) - 1;
    return {utterance, dialogueSeconds - m_starts[static_cast<std::size_t>(utterance)]};
}

}  // namespace egmf::ui
