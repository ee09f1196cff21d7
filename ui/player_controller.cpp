#include "player_controller.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "audio_output.h"

namespace egmf::ui {
namespace {

constexpr double kTextOnlySeconds = 2.0;  // how long an utterance without a playable clip is shown

/// The dialogue's audio at `rate`: each clip's range, padded or cut to its duration, silence for
/// clips without sound. Runs on a worker thread.
std::vector<float> dialogueAudio(const std::vector<PlayerClip>& clips, int rate) {
    std::vector<float> out;
    for (const auto& clip : clips) {
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

PlayerController::PlayerController(QObject* parent) : QObject(parent), m_output(new AudioOutput(this)) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / 60);
    connect(&m_timer, &QTimer::timeout, this, &PlayerController::onTimer);
}

PlayerController::~PlayerController() {
    m_output->stop();
    if (m_pendingAudio.valid()) m_pendingAudio.wait();
    takePrepared(-1);
}

std::vector<PlayerClip> PlayerController::probeClips(std::vector<PlayerClip> clips) {
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
    return clips;
}

void PlayerController::setClips(std::vector<PlayerClip> clips) {
    pause();
    m_output->stop();
    m_audioRunning = false;
    m_stream.reset();
    takePrepared(-1);
    m_clips = std::move(clips);
    m_utterance = -1;
    m_image = QImage();
    m_frameTime = -1;
    startAudioDecode();
    if (!m_clips.empty()) seek(0, 0.0);
}

void PlayerController::startAudioDecode() {
    if (m_pendingAudio.valid()) m_pendingAudio.wait();
    m_dialogueAudio.clear();
    m_stretched.clear();
    if (!m_output->available() || m_clips.empty()) return;
    m_output->warmUp();
    m_pendingAudio = std::async(std::launch::async, dialogueAudio, m_clips, m_output->sampleRate());
}

void PlayerController::adoptAudio() {
    if (!m_pendingAudio.valid() || m_pendingAudio.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    m_dialogueAudio = m_pendingAudio.get();
    auto stretched = changeTempo(m_dialogueAudio, m_output->sampleRate(), m_speed);
    m_stretched = stretched ? std::move(*stretched) : m_dialogueAudio;
    if (m_playing) restartClock(clock());  // from the wall clock over to the audio clock
}

double PlayerController::clock() const {
    if (!m_playing) return m_origin;
    if (m_audioRunning && !m_audioStarted) return m_origin;  // waiting for the device to start
    return m_anchorClock + (static_cast<double>(m_wall.nsecsElapsed()) / 1e9 - m_anchorWall) * m_speed;
}

void PlayerController::syncToAudio() {
    if (!m_playing || !m_audioRunning) return;
    const auto played = m_output->playedSeconds();
    if (!played) return;
    const double wall = static_cast<double>(m_wall.nsecsElapsed()) / 1e9;
    const double audio = m_origin + *played * m_speed;
    if (!m_audioStarted) {
        if (*played <= 0) return;
        m_audioStarted = true;
        m_anchorClock = audio;
        m_anchorWall = wall;
        return;
    }
    // The device reports its position unevenly under load; the clock runs on the wall clock and
    // is pulled towards the device's position (a twentieth of the gap per tick: smooth video,
    // the sound's pace over time), or set to it when they are far apart.
    const double gap = audio - clock();
    m_anchorClock += std::abs(gap) > 0.25 ? gap : 0.05 * gap;
}

double PlayerController::clipTime() const {
    return m_utterance < 0 ? 0.0 : clock() - clipStart(m_utterance);
}

double PlayerController::clipStart(int utterance) const {
    double start = 0;
    for (int i = 0; i < utterance && i < static_cast<int>(m_clips.size()); ++i) start += m_clips[static_cast<std::size_t>(i)].durationSec;
    return start;
}

double PlayerController::dialogueTime() const {
    return m_utterance < 0 ? 0.0 : clock();
}

double PlayerController::dialogueDuration() const {
    return clipStart(static_cast<int>(m_clips.size()));
}

bool PlayerController::audible() const {
    return m_output->available();
}

QString PlayerController::audioStatus() const {
    return m_output->available() ? QString() : m_output->unavailableReason();
}

void PlayerController::openClip(int utterance, double at) {
    const auto& clip = m_clips[static_cast<std::size_t>(utterance)];
    const bool changed = utterance != m_utterance;
    m_utterance = utterance;
    m_frameTime = -1;
    m_errorReported = false;
    bool prepared = false;  // opened ahead by prepareNext, already at the range's start
    if (changed) {
        m_stream = takePrepared(utterance);
        prepared = m_stream != nullptr;
        if (!m_stream && clip.error.isEmpty() && clip.hasVideo) {
            auto opened = FrameStream::open(clip.path.toStdString());
            if (opened) {
                m_stream = std::move(*opened);
            } else {
                Q_EMIT message(QString::fromStdString(opened.error().message));
            }
        }
        if (!m_stream) m_image = QImage();
        Q_EMIT utteranceChanged(utterance);
    }
    if (m_stream && !(prepared && at == 0) && (at > 0 || clip.startSec > 0 || !changed)) m_stream->seek(clip.startSec + at);
    prepareNext();
}

void PlayerController::prepareNext() {
    const int next = m_utterance + 1;
    if (!m_continuous || next >= static_cast<int>(m_clips.size()) || m_nextFor == next) return;
    takePrepared(-1);
    const auto& clip = m_clips[static_cast<std::size_t>(next)];
    if (!clip.error.isEmpty() || !clip.hasVideo) return;
    m_nextFor = next;
    m_nextStream = std::async(std::launch::async, [path = clip.path.toStdString(), start = clip.startSec] {
        auto opened = FrameStream::open(path);
        if (opened && start > 0) (*opened)->seek(start);
        return opened;
    });
}

std::unique_ptr<FrameStream> PlayerController::takePrepared(int utterance) {
    const bool wanted = utterance >= 0 && utterance == m_nextFor;
    m_nextFor = -1;
    if (!m_nextStream.valid()) return nullptr;
    auto opened = m_nextStream.get();  // waits only if the worker is still opening
    // A failed open is not reported here: openClip opens the clip again and says why.
    return wanted && opened ? std::move(*opened) : nullptr;
}

void PlayerController::closeSpan(double end) {
    if (m_spanStart < 0 || m_utterance < 0) return;
    if (m_stream) m_stats.expected += std::max(0.0, end - m_spanStart) * m_clips[static_cast<std::size_t>(m_utterance)].framesPerSecond;
    m_spanStart = -1;
}

void PlayerController::restartClock(double at) {
    m_origin = at;
    m_anchorClock = at;
    m_anchorWall = 0;
    m_audioStarted = false;
    m_spanStart = m_playing ? at : -1;
    m_wall.restart();
    m_audioRunning = false;
    m_output->stop();
    if (m_playing && !m_stretched.empty()) {
        const auto from = static_cast<std::size_t>(std::max(0.0, at / m_speed) * m_output->sampleRate());
        m_audioRunning = from < m_stretched.size() && m_output->play(&m_stretched, from);
    }
}

void PlayerController::play() {
    if (m_playing || m_clips.empty()) return;
    if (m_utterance < 0) openClip(0, 0);
    // At the very end: start the dialogue again.
    if (m_origin >= dialogueDuration() - 1e-3) seek(0, 0);
    adoptAudio();
    m_playing = true;
    restartClock(m_origin);
    m_timer.start();
    Q_EMIT playingChanged(true);
}

void PlayerController::pause() {
    if (!m_playing) return;
    const double at = clock();
    closeSpan(at);
    m_playing = false;
    m_output->stop();
    m_audioRunning = false;
    m_origin = at;
    Q_EMIT playingChanged(false);
    Q_EMIT tick(m_utterance, clipTime());
}

void PlayerController::togglePlay() {
    m_playing ? pause() : play();
}

void PlayerController::seek(int utterance, double at) {
    if (m_clips.empty()) return;
    utterance = std::clamp(utterance, 0, static_cast<int>(m_clips.size()) - 1);
    at = std::clamp(at, 0.0, std::max(0.0, m_clips[static_cast<std::size_t>(utterance)].durationSec - 1e-3));
    if (m_playing) closeSpan(clock());
    openClip(utterance, at);
    restartClock(clipStart(utterance) + at);
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
    const double from = m_frameTime >= 0 ? m_frameTime : clipTime();
    // A millisecond early: the stream starts at the first frame at or after the time asked for.
    seek(m_utterance, std::max(0.0, from + direction / fps - 1e-3));
}

void PlayerController::setSpeed(double speed) {
    speed = std::clamp(speed, 0.5, 2.0);
    if (std::abs(speed - m_speed) < 1e-9) return;
    const double at = clock();
    if (m_playing) closeSpan(at);
    m_speed = speed;
    if (!m_dialogueAudio.empty()) {
        auto stretched = changeTempo(m_dialogueAudio, m_output->sampleRate(), m_speed);
        if (stretched) {
            m_stretched = std::move(*stretched);
        } else {
            Q_EMIT message(QString::fromStdString(stretched.error().message));
        }
    }
    restartClock(at);
}

void PlayerController::setVolume(double volume) {
    m_output->setVolume(volume);
}

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
    for (int y = 0; y < h; ++y)
        std::memcpy(m_image.scanLine(y), m_shown.rgb.data() + static_cast<std::size_t>(y) * w * 3, static_cast<std::size_t>(w) * 3);
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
    if (!m_playing) {
        takeDueFrames(clipTime());
        if (m_frameTime >= 0 || !m_stream || m_stream->atEnd()) m_timer.stop();
        return;
    }
    if (!m_audioRunning) adoptAudio();
    syncToAudio();
    double t = clipTime();
    // The clock is in dialogue time: past this clip's end, the next clip is on (the sound goes on).
    while (t >= m_clips[static_cast<std::size_t>(m_utterance)].durationSec) {
        if (!m_continuous || m_utterance + 1 >= static_cast<int>(m_clips.size())) {
            const double end = dialogueDuration();
            closeSpan(end);
            m_origin = clipStart(m_utterance) + m_clips[static_cast<std::size_t>(m_utterance)].durationSec;
            if (!m_continuous) m_origin = std::min(m_origin, end);
            m_playing = false;
            m_output->stop();
            m_audioRunning = false;
            m_timer.stop();
            Q_EMIT playingChanged(false);
            Q_EMIT tick(m_utterance, clipTime());
            Q_EMIT finished();
            return;
        }
        // Expected frames are counted clip by clip, at each clip's rate (none for a clip without video).
        closeSpan(clipStart(m_utterance + 1));
        openClip(m_utterance + 1, 0);
        m_spanStart = clipStart(m_utterance);
        t = clipTime();
    }
    takeDueFrames(t);
    if (m_stream && !m_errorReported && m_stream->atEnd() && !m_stream->error().empty()) {
        m_errorReported = true;  // once per clip: a damaged clip plays what decodes, then says why
        Q_EMIT message(QString::fromStdString(m_stream->error()));
    }
    Q_EMIT tick(m_utterance, t);
}

}  // namespace egmf::ui
