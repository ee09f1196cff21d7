#include "video_track.h"

#include <algorithm>
#include <cstring>

namespace egmf::ui {

VideoTrack::~VideoTrack() {
    takePrepared(-1);
}

void VideoTrack::clear() {
    m_stream.reset();
    takePrepared(-1);
    m_image = QImage();
    m_time = -1;
}

QString VideoTrack::open(int utterance, const PlayerClip& clip, double at, bool changed) {
    m_time = -1;
    m_errorReported = false;
    m_offset = clip.startSec;
    m_framesPerSecond = clip.framesPerSecond;
    QString error;
    bool prepared = false;  // opened ahead by prepare(), already at the range's start
    if (changed) {
        m_stream = takePrepared(utterance);
        prepared = m_stream != nullptr;
        if (!m_stream && clip.error.isEmpty() && clip.hasVideo) {
            auto opened = FrameStream::open(clip.path.toStdString());
            if (opened) {
                m_stream = std::move(*opened);
            } else {
                error = QString::fromStdString(opened.error().message);
            }
        }
        if (!m_stream) m_image = QImage();
    }
    if (m_stream && !(prepared && at == 0) && (at > 0 || clip.startSec > 0 || !changed)) m_stream->seek(clip.startSec + at);
    return error;
}

void VideoTrack::prepare(int utterance, const PlayerClip& clip) {
    if (m_nextFor == utterance) return;
    takePrepared(-1);
    if (!clip.error.isEmpty() || !clip.hasVideo) return;
    m_nextFor = utterance;
    m_next = std::async(std::launch::async, [path = clip.path.toStdString(), start = clip.startSec] {
        auto opened = FrameStream::open(path);
        if (opened && start > 0) (*opened)->seek(start);
        return opened;
    });
}

std::unique_ptr<FrameStream> VideoTrack::takePrepared(int utterance) {
    const bool wanted = utterance >= 0 && utterance == m_nextFor;
    m_nextFor = -1;
    if (!m_next.valid()) return nullptr;
    auto opened = m_next.get();  // waits only if the worker is still opening
    // A failed open is not reported here: open() opens the clip again and says why.
    return wanted && opened ? std::move(*opened) : nullptr;
}

bool VideoTrack::takeDue(double t, bool playing) {
    if (!m_stream) return false;
    double next = 0;
    int taken = 0;
    const bool awaitingSeek = m_time < 0;
    while (m_stream->nextFrameTime(next) && (next - m_offset <= t + 1e-3 || (awaitingSeek && taken == 0))) {
        if (taken > 0) ++m_stats.dropped;
        m_stream->takeFrame(m_shown);
        ++taken;
        if (awaitingSeek && !playing) break;
    }
    if (taken == 0) return false;
    const int w = m_shown.width, h = m_shown.height;
    if (m_image.width() != w || m_image.height() != h || m_image.format() != QImage::Format_RGB888) {
        m_image = QImage(w, h, QImage::Format_RGB888);
    }
    for (int y = 0; y < h; ++y)
        std::memcpy(m_image.scanLine(y), m_shown.rgb.data() + static_cast<std::size_t>(y) * w * 3, static_cast<std::size_t>(w) * 3);
    m_time = m_shown.timeSec - m_offset;
    if (playing) {
        ++m_stats.presented;
        if (t - m_time > 1.0 / m_framesPerSecond) ++m_stats.late;
    }
    return true;
}

void VideoTrack::countExpected(double seconds) {
    if (m_stream) m_stats.expected += std::max(0.0, seconds) * m_framesPerSecond;
}

bool VideoTrack::settled() const {
    return m_time >= 0 || !m_stream || m_stream->atEnd();
}

QString VideoTrack::endError() {
    if (!m_stream || m_errorReported || !m_stream->atEnd() || m_stream->error().empty()) return {};
    m_errorReported = true;
    return QString::fromStdString(m_stream->error());
}

}  // namespace egmf::ui
