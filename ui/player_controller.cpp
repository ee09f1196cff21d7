#include "player_controller.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "audio_output.h"

namespace egmf::ui {
namespace {

constexpr double kTextOnlySeconds = 2.0;  // how long an utterance without a playable clip is shown

}  // namespace

PlayerController::PlayerController(QObject* parent) : QObject(parent), m_output(new AudioOutput(this)) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / 60);
    connect(&m_timer, &QTimer::timeout, this, &PlayerController::onTimer);
}

PlayerController::~PlayerController() {
    m_output->stop();
    if (m_nextAudio.valid()) m_nextAudio.wait();
}

std::vector<PlayerClip> PlayerController::probeClips(std::vector<PlayerClip> clips) {
    for (auto& clip : clips) {
        if (clip.path.isEmpty()) {
            clip.error = QStringLiteral("no clip");
        } else if (auto info = probeClipInfo(clip.path.toStdString())) {
            const double end = clip.endSec > 0 ? clip.endSec : info->durationSec;
            if (end > clip.startSec) clip.durationSec = end - clip.startSec;
            if (info->framesPerSecond > 0) clip.framesPerSecond = info->framesPerSecond;
            if (!info->hasVideo) clip.error = QStringLiteral("no video stream");
        } else {
            clip.error = QString::fromStdString(info.error().message);
        }
        if (clip.durationSec <= 0) clip.durationSec = kTextOnlySeconds;
    }
    return clips;
}

void PlayerController::setClips(std::vector<PlayerClip> clips) {
    pause();
    m_output->stop();
    if (m_nextAudio.valid()) m_nextAudio.wait();
    m_nextAudio = {};
    m_stream.reset();
    m_nextStream.reset();
    m_nextFor = -1;
    m_clips = std::move(clips);
    m_utterance = -1;
    m_image = QImage();
    m_frameTime = -1;
    if (!m_clips.empty()) seek(0, 0.0);
}

double PlayerController::clipTime() const {
    if (!m_playing) return m_clockOrigin;
    if (m_audioRunning) {
        if (const auto played = m_output->playedSeconds()) return m_clockOrigin + *played * m_speed;
    }
    return m_clockOrigin + static_cast<double>(m_wall.nsecsElapsed()) / 1e9 * m_speed;
}

double PlayerController::clipStart(int utterance) const {
    double start = 0;
    for (int i = 0; i < utterance && i < static_cast<int>(m_clips.size()); ++i) start += m_clips[static_cast<std::size_t>(i)].durationSec;
    return start;
}

double PlayerController::dialogueTime() const { return m_utterance < 0 ? 0.0 : clipStart(m_utterance) + clipTime(); }

double PlayerController::dialogueDuration() const { return clipStart(static_cast<int>(m_clips.size())); }

bool PlayerController::audible() const { return m_output->available(); }

QString PlayerController::audioStatus() const { return m_output->available() ? QString() : m_output->unavailableReason(); }

std::vector<float> PlayerController::stretchedAudio(int utterance) {
    const auto& clip = m_clips[static_cast<std::size_t>(utterance)];
    if (!clip.error.isEmpty() || !m_output->available()) return {};
    Result<PlaybackAudio> audio = makeError(ErrorCode::NotFound, "");
    if (m_nextAudio.valid() && m_nextFor == utterance) {
        audio = m_nextAudio.get();
    } else {
        audio = decodePlaybackAudio(clip.path.toStdString(), m_output->sampleRate(), m_speed);
    }
    if (!audio) {
        Q_EMIT message(QString::fromStdString(audio.error().message));
        return {};
    }
    // The utterance's range of the file, in the stretched samples.
    const double perSecond = audio->sampleRateHz / m_speed;
    const auto from = std::min(audio->samples.size(), static_cast<std::size_t>(clip.startSec * perSecond));
    const auto to = clip.endSec > 0 ? std::min(audio->samples.size(), static_cast<std::size_t>(clip.endSec * perSecond)) : audio->samples.size();
    return std::vector<float>(audio->samples.begin() + static_cast<std::ptrdiff_t>(from), audio->samples.begin() + static_cast<std::ptrdiff_t>(std::max(from, to)));
}

void PlayerController::openClip(int utterance, double at) {
    const auto& clip = m_clips[static_cast<std::size_t>(utterance)];
    const bool changed = utterance != m_utterance;
    m_utterance = utterance;
    m_frameTime = -1;
    m_errorReported = false;
    bool prepared = false;  // opened ahead by prepareNext, already at the range's start
    if (changed) {
        if (m_nextStream && m_nextFor == utterance) {
            m_stream = std::move(m_nextStream);
            prepared = true;
        } else {
            m_stream.reset();
            if (clip.error.isEmpty()) {
                auto opened = FrameStream::open(clip.path.toStdString());
                if (opened) {
                    m_stream = std::move(*opened);
                } else {
                    Q_EMIT message(QString::fromStdString(opened.error().message));
                }
            }
        }
        if (m_nextAudio.valid() && m_nextFor != utterance) m_nextAudio.wait();
        m_audio = stretchedAudio(utterance);
        m_nextAudio = {};
        m_nextStream.reset();
        m_nextFor = -1;
        if (!m_stream) m_image = QImage();
        Q_EMIT utteranceChanged(utterance);
    }
    if (m_stream && !(prepared && at == 0) && (at > 0 || clip.startSec > 0 || !changed)) m_stream->seek(clip.startSec + at);
    prepareNext();
}

void PlayerController::prepareNext() {
    const int next = m_utterance + 1;
    if (!m_continuous || next >= static_cast<int>(m_clips.size()) || m_nextFor == next) return;
    m_nextFor = next;
    const auto& clip = m_clips[static_cast<std::size_t>(next)];
    if (!clip.error.isEmpty()) return;
    if (auto opened = FrameStream::open(clip.path.toStdString())) {
        m_nextStream = std::move(*opened);
        if (clip.startSec > 0) m_nextStream->seek(clip.startSec);
    }
    if (m_output->available()) {
        m_nextAudio = std::async(std::launch::async, [path = clip.path.toStdString(), rate = m_output->sampleRate(), speed = m_speed] {
            return decodePlaybackAudio(path, rate, speed);
        });
    }
}

void PlayerController::closeSpan(double end) {
    if (m_spanStart < 0 || m_utterance < 0) return;
    m_stats.expected += std::max(0.0, end - m_spanStart) * m_clips[static_cast<std::size_t>(m_utterance)].framesPerSecond;
    m_spanStart = -1;
}

void PlayerController::restartClock(double at) {
    m_clockOrigin = at;
    m_spanStart = m_playing ? at : -1;
    m_wall.restart();
    m_audioRunning = false;
    m_output->stop();
    if (m_playing && !m_audio.empty()) {
        const auto from = static_cast<std::size_t>(std::max(0.0, at / m_speed) * m_output->sampleRate());
        m_audioRunning = from < m_audio.size() && m_output->play(m_audio, from);
    }
}

void PlayerController::play() {
    if (m_playing || m_clips.empty()) return;
    if (m_utterance < 0) openClip(0, 0);
    // At the very end: start the dialogue again.
    if (m_utterance == static_cast<int>(m_clips.size()) - 1 && m_clockOrigin >= m_clips.back().durationSec - 1e-3) seek(0, 0);
    m_playing = true;
    restartClock(m_clockOrigin);
    m_timer.start();
    Q_EMIT playingChanged(true);
}

void PlayerController::pause() {
    if (!m_playing) return;
    const double at = clipTime();
    closeSpan(at);
    m_playing = false;
    m_output->stop();
    m_audioRunning = false;
    m_clockOrigin = at;
    Q_EMIT playingChanged(false);
    Q_EMIT tick(m_utterance, m_clockOrigin);
}

void PlayerController::togglePlay() { m_playing ? pause() : play(); }

void PlayerController::seek(int utterance, double at) {
    if (m_clips.empty()) return;
    utterance = std::clamp(utterance, 0, static_cast<int>(m_clips.size()) - 1);
    at = std::clamp(at, 0.0, std::max(0.0, m_clips[static_cast<std::size_t>(utterance)].durationSec - 1e-3));
    if (m_playing) closeSpan(clipTime());
    openClip(utterance, at);
    restartClock(at);
    // Paused or not, the timer runs until the frame at the new time is on screen.
    m_timer.start();
    Q_EMIT tick(m_utterance, at);
}

void PlayerController::seekDialogueTime(double seconds) {
    double start = 0;
    for (int i = 0; i < static_cast<int>(m_clips.size()); ++i) {
        const double length = m_clips[static_cast<std::size_t>(i)].durationSec;
        if (seconds < start + length || i + 1 == static_cast<int>(m_clips.size())) return seek(i, seconds - start);
        start += length;
    }
}

void PlayerController::stepFrame(int direction) {
    pause();
    if (m_utterance < 0) return;
    const double fps = m_clips[static_cast<std::size_t>(m_utterance)].framesPerSecond;
    const double from = m_frameTime >= 0 ? m_frameTime : m_clockOrigin;
    // A millisecond early: the stream starts at the first frame at or after the time asked for.
    seek(m_utterance, std::max(0.0, from + direction / fps - 1e-3));
}

void PlayerController::setSpeed(double speed) {
    speed = std::clamp(speed, 0.5, 2.0);
    if (std::abs(speed - m_speed) < 1e-9) return;
    const double at = clipTime();
    if (m_playing) closeSpan(at);
    m_speed = speed;
    if (m_nextAudio.valid()) m_nextAudio.wait();
    m_nextAudio = {};
    m_nextStream.reset();
    m_nextFor = -1;
    if (m_utterance >= 0) m_audio = stretchedAudio(m_utterance);
    restartClock(at);
    prepareNext();
}

void PlayerController::setVolume(double volume) { m_output->setVolume(volume); }

void PlayerController::takeDueFrames(double t) {
    if (!m_stream) return;
    double next = 0;
    int taken = 0;
    const bool awaitingSeek = m_frameTime < 0;
    const double offset = m_clips[static_cast<std::size_t>(m_utterance)].startSec;
    while (m_stream->nextFrameTime(next) && (next - offset <= t + 1e-3 || (awaitingSeek && taken == 0))) {
        if (taken > 0) ++m_stats.dropped;
        m_stream->takeFrame(m_shown);
        ++taken;
        if (awaitingSeek && !m_playing) break;
    }
    if (taken == 0) return;
    const int w = m_shown.width, h = m_shown.height;
    if (m_image.width() != w || m_image.height() != h || m_image.format() != QImage::Format_RGB888) {
        m_image = QImage(w, h, QImage::Format_RGB888);
    }
    for (int y = 0; y < h; ++y) std::memcpy(m_image.scanLine(y), m_shown.rgb.data() + static_cast<std::size_t>(y) * w * 3, static_cast<std::size_t>(w) * 3);
    m_frameTime = m_shown.timeSec - offset;
    if (m_playing) {
        ++m_stats.presented;
        const double fps = m_clips[static_cast<std::size_t>(m_utterance)].framesPerSecond;
        if (t - m_frameTime > 1.0 / fps) ++m_stats.late;
    }
    Q_EMIT frameChanged();
}

void PlayerController::onTimer() {
    if (m_utterance < 0) return;
    const auto& clip = m_clips[static_cast<std::size_t>(m_utterance)];
    if (!m_playing) {
        takeDueFrames(m_clockOrigin);
        if (m_frameTime >= 0 || !m_stream || m_stream->atEnd()) m_timer.stop();
        return;
    }
    const double t = clipTime();
    takeDueFrames(t);
    if (m_stream && !m_errorReported && m_stream->atEnd() && !m_stream->error().empty()) {
        m_errorReported = true;  // once per clip: a damaged clip plays what decodes, then says why
        Q_EMIT message(QString::fromStdString(m_stream->error()));
    }
    if (t >= clip.durationSec) {
        closeSpan(clip.durationSec);
        if (m_continuous && m_utterance + 1 < static_cast<int>(m_clips.size())) {
            const double overshoot = (t - clip.durationSec);
            openClip(m_utterance + 1, 0);
            restartClock(std::min(overshoot, 0.05));
            Q_EMIT tick(m_utterance, m_clockOrigin);
            return;
        }
        m_clockOrigin = clip.durationSec;
        m_playing = false;
        m_output->stop();
        m_audioRunning = false;
        m_timer.stop();
        Q_EMIT playingChanged(false);
        Q_EMIT tick(m_utterance, m_clockOrigin);
        Q_EMIT finished();
        return;
    }
    Q_EMIT tick(m_utterance, t);
}

}  // namespace egmf::ui
