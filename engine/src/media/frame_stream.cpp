// FrameStream: the player's video decoder (egmf/playback.h). One thread runs the analysis
// decoder at the clip's native frame rate with a callback that waits for room in the queue;
// a seek bumps a generation number, which stops the running decode (keepGoing) and starts the
// next one at the new time. Buffers circulate between the queue and a free list.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "egmf/app/media_file.h"
#include "egmf/playback.h"

namespace egmf {

struct FrameStream::State {
    std::filesystem::path path;
    FrameStreamOptions options;
    ClipInfo info;

    mutable std::mutex mutex;
    std::condition_variable changed;
    std::deque<PlaybackFrame> queue;
    std::vector<std::vector<std::uint8_t>> freeBuffers;
    std::uint64_t generation = 0;  ///< bumped by each seek
    double startSec = 0;           ///< where the current generation decodes from
    bool decodedToEnd = false;     ///< the current generation reached the clip's end
    bool stopping = false;
    std::string error;
    std::thread thread;

    void run();
    /// The decoder's callback: waits for room, then queues a copy (into a recycled buffer).
    void push(const media::VideoFrame& frame, std::uint64_t mine);
};

void FrameStream::State::push(const media::VideoFrame& frame, std::uint64_t mine) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return stopping || generation != mine || static_cast<int>(queue.size()) < options.queueFrames; });
    if (stopping || generation != mine) return;  // keepGoing stops the decoder at the next packet
    PlaybackFrame out;
    if (!freeBuffers.empty()) {
        out.rgb = std::move(freeBuffers.back());
        freeBuffers.pop_back();
    }
    out.timeSec = frame.timeSec;
    out.width = frame.width;
    out.height = frame.height;
    out.rgb.assign(frame.pixels.begin(), frame.pixels.end());
    queue.push_back(std::move(out));
}

void FrameStream::State::run() {
    while (true) {
        std::uint64_t mine;
        double start;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return stopping || !decodedToEnd; });
            if (stopping) return;
            mine = generation;
            start = startSec;
        }
        media::DecodeRequest request;
        request.audio = false;
        request.videoFramesPerSecond = media::kEveryFrame;
        request.maxFrameWidth = options.maxWidth;
        request.decoderThreads = options.decoderThreads;
        request.startSec = start;
        request.onFrame = [&](const media::VideoFrame& frame) { push(frame, mine); };
        request.keepGoing = [&] {
            std::lock_guard lock(mutex);
            return !stopping && generation == mine;
        };
        auto decoded = media::decodeClip(path, request);
        std::lock_guard lock(mutex);
        if (generation != mine) continue;  // a seek came: decode again from its time
        decodedToEnd = true;
        if (!decoded && decoded.error().code != ErrorCode::Cancelled) error = decoded.error().message;
        changed.notify_all();
    }
}

FrameStream::FrameStream(std::unique_ptr<State> state) : m_state(std::move(state)) {}

FrameStream::~FrameStream() {
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
    }
    m_state->changed.notify_all();
    if (m_state->thread.joinable()) m_state->thread.join();
}

Result<std::unique_ptr<FrameStream>> FrameStream::open(const std::filesystem::path& path, FrameStreamOptions options) {
    auto info = probeClipInfo(path);
    if (!info) return info.error();
    if (!info->hasVideo) {
        return makeError(ErrorCode::Unsupported, path.string() + ": the clip has no video stream (audio only plays without a picture)");
    }
    auto state = std::make_unique<State>();
    state->path = path;
    state->options = options;
    state->options.queueFrames = std::max(1, options.queueFrames);
    state->info = *info;
    std::unique_ptr<FrameStream> stream(new FrameStream(std::move(state)));
    stream->m_state->thread = std::thread([s = stream->m_state.get()] { s->run(); });
    return stream;
}

const ClipInfo& FrameStream::info() const {
    return m_state->info;
}

void FrameStream::seek(double timeSec) {
    auto& s = *m_state;
    {
        std::lock_guard lock(s.mutex);
        ++s.generation;
        s.startSec = std::clamp(timeSec, 0.0, std::max(0.0, s.info.durationSec));
        s.decodedToEnd = false;
        s.error.clear();
        for (auto& frame : s.queue) s.freeBuffers.push_back(std::move(frame.rgb));
        s.queue.clear();
    }
    s.changed.notify_all();
}

bool FrameStream::nextFrameTime(double& timeSec) const {
    std::lock_guard lock(m_state->mutex);
    if (m_state->queue.empty()) return false;
    timeSec = m_state->queue.front().timeSec;
    return true;
}

bool FrameStream::takeFrame(PlaybackFrame& frame) {
    auto& s = *m_state;
    {
        std::lock_guard lock(s.mutex);
        if (s.queue.empty()) return false;
        if (!frame.rgb.empty() && s.freeBuffers.size() < static_cast<std::size_t>(s.options.queueFrames)) {
            s.freeBuffers.push_back(std::move(frame.rgb));
        }
        frame = std::move(s.queue.front());
        s.queue.pop_front();
    }
    s.changed.notify_all();
    return true;
}

bool FrameStream::atEnd() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->decodedToEnd && m_state->queue.empty();
}

std::string FrameStream::error() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->error;
}

}  // namespace egmf
