#include "player_controller.h"

#include <algorithm>
#include <cmath>

namespace egmf::ui {

PlayerController::PlayerController(QObject* parent) : QObject(parent), m_audio(new DialogueAudio(this)) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(1000 / 60);
    connect(&m_timer, &QTimer::timeout, this, &PlayerController::onTimer);
}

PlayerController::~PlayerController() = default;

void PlayerController::setClips(DialogueClips clips) {
    pause();
    m_audioRunning = false;
    m_video.clear();
    m_clips = std::move(clips);
    m_utterance = -1;
    m_audio->decode(m_clips);
    if (!m_clips.empty()) seek({0, 0.0});
}

void PlayerController::adoptAudio() {
    if (!m_audio->adoptDecoded(m_speed)) return;
    if (m_playing) restartClock(clock());  // from the wall clock over to the audio clock
}

double PlayerController::clock() const {
    if (!m_playing) return m_origin;
    if (m_audioRunning && !m_audioStarted) return m_origin;  // waiting for the device to start
    return m_anchorClock + (static_cast<double>(m_wall.nsecsElapsed()) / 1e9 - m_anchorWall) * m_speed;
}

void PlayerController::syncToAudio() {
    if (!m_playing || !m_audioRunning) return;
    const auto played = m_audio->playedSeconds();
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
    return m_utterance < 0 ? 0.0 : clock() - m_clips.start(m_utterance);
}

ClipPosition PlayerController::position() const {
    return {m_utterance, clipTime()};
}

double PlayerController::dialogueTime() const {
    return m_utterance < 0 ? 0.0 : clock();
}

void PlayerController::openClip(int utterance, double at) {
    const bool changed = utterance != m_utterance;
    m_utterance = utterance;
    const auto error = m_video.open(utterance, m_clips[static_cast<std::size_t>(utterance)], at, changed);
    if (!error.isEmpty()) Q_EMIT message(error);
    if (changed) Q_EMIT utteranceChanged(utterance);
    // The next clip's stream opens while this one plays.
    const int next = utterance + 1;
    if (next < static_cast<int>(m_clips.size())) m_video.prepare(next, m_clips[static_cast<std::size_t>(next)]);
}

void PlayerController::closeSpan(double end) {
    if (m_spanStart < 0 || m_utterance < 0) return;
    m_video.countExpected(end - m_spanStart);
    m_spanStart = -1;
}

void PlayerController::restartClock(double at) {
    m_origin = at;
    m_anchorClock = at;
    m_anchorWall = 0;
    m_audioStarted = false;
    m_spanStart = m_playing ? at : -1;
    m_wall.restart();
    m_audio->stop();
    m_audioRunning = m_playing && m_audio->play(at, m_speed);
}

void PlayerController::play() {
    if (m_playing || m_clips.empty()) return;
    if (m_utterance < 0) openClip(0, 0);
    // At the very end: start the dialogue again.
    if (m_origin >= m_clips.duration() - 1e-3) seek({0, 0});
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
    m_audio->stop();
    m_audioRunning = false;
    m_origin = at;
    Q_EMIT playingChanged(false);
    Q_EMIT tick(m_utterance, clipTime());
}

void PlayerController::togglePlay() {
    m_playing ? pause() : play();
}

void PlayerController::seek(ClipPosition to) {
    if (m_clips.empty()) return;
    const int utterance = std::clamp(to.utterance, 0, static_cast<int>(m_clips.size()) - 1);
    const double at = std::clamp(to.clipTime, 0.0, std::max(0.0, m_clips[static_cast<std::size_t>(utterance)].durationSec - 1e-3));
    if (m_playing) closeSpan(clock());
    openClip(utterance, at);
    restartClock(m_clips.start(utterance) + at);
    // Paused or not, the timer runs until the frame at the new time is on screen.
    m_timer.start();
    Q_EMIT tick(m_utterance, at);
}

void PlayerController::stepFrame(int direction) {
    pause();
    if (m_utterance < 0) return;
    const double fps = m_clips[static_cast<std::size_t>(m_utterance)].framesPerSecond;
    const double from = m_video.time() >= 0 ? m_video.time() : clipTime();
    // A millisecond early: the stream starts at the first frame at or after the time asked for.
    seek({m_utterance, std::max(0.0, from + direction / fps - 1e-3)});
}

void PlayerController::setSpeed(double speed) {
    speed = std::clamp(speed, 0.5, 2.0);
    if (std::abs(speed - m_speed) < 1e-9) return;
    const double at = clock();
    if (m_playing) closeSpan(at);
    m_speed = speed;
    if (const auto error = m_audio->setSpeed(m_speed)) Q_EMIT message(*error);
    restartClock(at);
}

void PlayerController::finish() {
    const double end = m_clips.duration();
    closeSpan(end);
    m_origin = end;
    m_playing = false;
    m_audio->stop();
    m_audioRunning = false;
    m_timer.stop();
    Q_EMIT playingChanged(false);
    Q_EMIT tick(m_utterance, clipTime());
    Q_EMIT finished();
}

void PlayerController::onTimer() {
    if (m_utterance < 0) return;
    if (!m_playing) {
        if (m_video.takeDue(clipTime(), false)) Q_EMIT frameChanged();
        if (m_video.settled()) m_timer.stop();
        return;
    }
    if (!m_audioRunning) adoptAudio();
    syncToAudio();
    double t = clipTime();
    // The clock is in dialogue time: past this clip's end, the next clip is on (the sound goes on).
    while (t >= m_clips[static_cast<std::size_t>(m_utterance)].durationSec) {
        if (m_utterance + 1 >= static_cast<int>(m_clips.size())) return finish();
        // Expected frames are counted clip by clip, at each clip's rate (none for a clip without video).
        closeSpan(m_clips.start(m_utterance + 1));
        openClip(m_utterance + 1, 0);
        m_spanStart = m_clips.start(m_utterance);
        t = clipTime();
    }
    if (m_video.takeDue(t, true)) Q_EMIT frameChanged();
    if (const auto error = m_video.endError(); !error.isEmpty()) Q_EMIT message(error);
    Q_EMIT tick(m_utterance, t);
}

}  // namespace egmf::ui
