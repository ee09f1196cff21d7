#include "dialogue_audio.h"

#include <algorithm>
#include <cmath>

#include "audio_output.h"
#include "egmf/playback.h"

namespace egmf::ui {
namespace {

/// The dialogue's sound at `rate`: each clip's range, padded or cut to its duration, silence for
/// clips without sound. Runs on a worker thread.
std::vector<float> dialogueSound(const DialogueClips& clips, int rate) {
    std::vector<float> out;
    for (const auto& clip : clips.all()) {
        const auto length = static_cast<std::size_t>(std::lround(clip.durationSec * rate));
        std::vector<float> part;
        if (clip.error.isEmpty()) {
            if (auto audio = decodePlaybackAudio(clip.path.toStdString(), rate)) {
                const auto from = std::min(audio->samples.size(), static_cast<std::size_t>(clip.startSec * rate));
                part.assign(audio->samples.begin() + static_cast<std::ptrdiff_t>(from), audio->samples.end());
            }
        }
        part.resize(length, 0.0f);
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

}  // namespace

DialogueAudio::DialogueAudio(QObject* parent) : QObject(parent), m_output(new AudioOutput(this)) {}

DialogueAudio::~DialogueAudio() {
    m_output->stop();
    if (m_pending.valid()) m_pending.wait();
}

bool DialogueAudio::available() const {
    return m_output->available();
}

QString DialogueAudio::unavailableReason() const {
    return m_output->available() ? QString() : m_output->unavailableReason();
}

void DialogueAudio::setVolume(double volume) {
    m_output->setVolume(volume);
}

void DialogueAudio::decode(const DialogueClips& clips) {
    m_output->stop();
    if (m_pending.valid()) m_pending.wait();
    m_sound.clear();
    m_stretched.clear();
    if (!m_output->available() || clips.empty()) return;
    m_output->warmUp();
    m_pending = std::async(std::launch::async, dialogueSound, clips, m_output->sampleRate());
}

bool DialogueAudio::adoptDecoded(double speed) {
    if (!m_pending.valid() || m_pending.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
    m_sound = m_pending.get();
    auto stretched = changeTempo(m_sound, m_output->sampleRate(), speed);
    m_stretched = stretched ? std::move(*stretched) : m_sound;
    return true;
}

std::optional<QString> DialogueAudio::setSpeed(double speed) {
    if (m_sound.empty()) return std::nullopt;
    auto stretched = changeTempo(m_sound, m_output->sampleRate(), speed);
    if (!stretched) return QString::fromStdString(stretched.error().message);
    m_stretched = std::move(*stretched);
    return std::nullopt;
}

bool DialogueAudio::play(double seconds, double speed) {
    if (m_stretched.empty()) return false;
    const auto from = static_cast<std::size_t>(std::max(0.0, seconds / speed) * m_output->sampleRate());
    return from < m_stretched.size() && m_output->play(&m_stretched, from);
}

void DialogueAudio::stop() {
    m_output->stop();
}

std::optional<double> DialogueAudio::playedSeconds() const {
    return m_output->playedSeconds();
}

}  // namespace egmf::ui
